/**
 * The executor pool: N threads, each running one job at a time off the main event loop. Jobs go
 * to a thread in batches and come back through shared result slots (executor-protocol.ts), so a
 * busy worker pays one message per batch, not two per job. The pool enforces the hard timeout
 * (terminates the thread, which stops even a busy loop), cancellation (aborts the task's
 * AbortSignal, terminates after a grace period), and takes back the not-yet-started jobs of a
 * thread whose current job runs long, so they run elsewhere. Threads start on demand and stop
 * after a while idle (one stays), so an idle worker stays small.
 */
import {
  receiveMessageOnPort,
  MessageChannel,
  type MessagePort,
  Worker,
} from "node:worker_threads";
import {
  ARMED,
  CLAIM,
  CURRENT,
  clearSlots,
  indexOf,
  isSealed,
  nextGen,
  pack,
  readSlot,
  SHARED_BYTES,
  SLOT_EMPTY,
  SLOT_POSTED,
  sealWord,
  sharedViews,
  slotStatus,
  type SharedViews,
  type SlotOutcome,
  type ThreadError,
  type ThreadReply,
} from "./executor-protocol";
import type { TaskInfo } from "@/db/queries/tasks";

/** How one execution ended. */
export type Execution =
  | { ok: true; result: string }
  | { ok: false; kind: "error" | "timeout" | "cancelled"; error: ThreadError };

/** A job as the pool runs it. */
export interface PoolJob {
  id: number;
  task: string;
  args: string;
  attempt: number;
  timeoutMs: number;
}

/** A job that ran (or was stopped), with when it started and stopped in its thread. */
export interface Finished {
  job: PoolJob;
  execution: Execution;
  startedAt: number;
  stoppedAt: number;
}

/** Options of the executor pool. */
export interface ExecutorOptions {
  size: number;
  bundlePath: string;
  /** Maps stack frames in the bundle back to the TypeScript sources. */
  remapStack?(stack: string): string;
  onProgress(jobId: number, value: number, message: string | null): void;
  /** Something finished or came back: call drain(). */
  onActivity(): void;
  onThreadError?(error: Error): void;
  /** A thread idle this long stops (one always stays). Default 30 s. */
  idleThreadMs?: number;
}

/** A job that has run this long makes the jobs queued behind it in its thread go elsewhere. */
const RECLAIM_AFTER_MS = 20;
/** A thread that died while starting is started again after this long. */
const RESPAWN_AFTER_MS = 1_000;
/** How often an idle pool looks for threads to stop. */
const IDLE_TICK_MS = 1_000;
/** How often running jobs are checked against their timeouts. */
const TICK_MS = 25;

interface Slot {
  thread: Worker | null;
  outcomes: MessagePort | null;
  /** Resolves with the task catalog the thread loaded, once it can take jobs. */
  ready: Promise<TaskInfo[]>;
  isReady: boolean;
  views: SharedViews;
  gen: number;
  batch: PoolJob[] | null;
  /** Outcomes collected from the current batch (they arrive in batch order). */
  taken: number;
  /** Jobs of the current batch asked to stop: id -> reason. */
  cancels: Map<number, string>;
  killTimer: NodeJS.Timeout | null;
  idleSince: number;
}

function failure(
  kind: "error" | "timeout" | "cancelled",
  message: string,
  stack: string | null = null,
): Execution {
  return {
    ok: false,
    kind,
    error: { name: "Error", message, stack, isPermanent: false, isAborted: kind !== "error" },
  };
}

/** Creates the pool; one thread starts at once, the others when work needs them. */
export function createExecutorPool(options: ExecutorOptions) {
  const idleThreadMs = options.idleThreadMs ?? 30_000;
  const slots: Slot[] = [];
  const finished: Finished[] = [];
  const reclaimed: PoolJob[] = [];
  let closing = false;

  function spawn(s: Slot): void {
    const channel = new MessageChannel();
    const sab = s.views.i32.buffer as SharedArrayBuffer;
    const thread = new Worker(options.bundlePath, {
      workerData: { sab, outcomes: channel.port2 },
      transferList: [channel.port2],
      resourceLimits: { maxYoungGenerationSizeMb: 4 },
    });
    s.thread = thread;
    s.outcomes = channel.port1;
    s.isReady = false;
    s.idleSince = Date.now();
    s.ready = new Promise<TaskInfo[]>((resolve, reject) => {
      // A thread that dies while loading (its bundle or a task module throws, or calls
      // process.exit) fails the start with a reason, rather than leaving it waiting.
      const onExit = (code: number) =>
        reject(new Error(`Executor thread exited (code ${code}) before it was ready`));
      thread.once("error", reject);
      thread.once("exit", onExit);
      thread.on("message", function onReady(m: ThreadReply) {
        if (m.type !== "ready") return;
        thread.off("message", onReady);
        thread.off("error", reject);
        thread.off("exit", onExit);
        if (s.thread === thread) s.isReady = true;
        s.idleSince = Date.now();
        resolve(m.catalog);
        options.onActivity();
      });
    });
    s.ready.catch(() => undefined);
    thread.on("message", (m: ThreadReply) => {
      if (m.type === "progress") options.onProgress(m.jobId, m.value, m.message);
      else if (m.type === "bell") options.onActivity();
    });
    thread.on("error", (error) => {
      options.onThreadError?.(error);
      if (s.thread === thread)
        stopThread(
          s,
          failure("error", `Executor thread crashed: ${error.message}`, error.stack ?? null),
        );
    });
    thread.on("exit", () => {
      if (s.thread !== thread || closing) return;
      stopThread(s, failure("error", "Executor thread exited unexpectedly"));
    });
  }

  function newSlot(start: boolean): Slot {
    const s: Slot = {
      thread: null,
      outcomes: null,
      ready: Promise.resolve([]),
      isReady: false,
      views: sharedViews(new SharedArrayBuffer(SHARED_BYTES)),
      gen: 0,
      batch: null,
      taken: 0,
      cancels: new Map(),
      killTimer: null,
      idleSince: Date.now(),
    };
    Atomics.store(s.views.i32, CURRENT, -1);
    if (start) spawn(s);
    return s;
  }

  function toExecution(s: Slot, job: PoolJob, o: SlotOutcome): Execution {
    if (o.ok) return { ok: true, result: o.result };
    if (o.error.stack && options.remapStack) o.error.stack = options.remapStack(o.error.stack);
    const isCancelled = s.cancels.has(job.id) && o.error.isAborted;
    return { ok: false, kind: isCancelled ? "cancelled" : "error", error: o.error };
  }

  /** Reads the posted outcome of slot `index` (it was sent before the slot was marked). */
  function receivePosted(s: Slot, index: number): SlotOutcome | null {
    for (;;) {
      const m = s.outcomes && receiveMessageOnPort(s.outcomes);
      if (!m) return null;
      const reply = m.message as Extract<ThreadReply, { type: "outcome" }>;
      if (reply.gen === s.gen && reply.outcome.index === index) return reply.outcome;
    }
  }

  /** Number of jobs of the current batch a thread has taken (started). */
  const startedCount = (s: Slot) => indexOf(Atomics.load(s.views.i32, CLAIM));

  /** Moves the finished jobs of a slot's batch to `finished`; frees the slot when all are done. */
  function collect(s: Slot): void {
    const batch = s.batch;
    if (!batch) return;
    while (s.taken < batch.length) {
      const status = slotStatus(s.views, s.taken);
      if (status === SLOT_EMPTY) break;
      const o = status === SLOT_POSTED ? receivePosted(s, s.taken) : readSlot(s.views, s.taken);
      const job = batch[s.taken]!;
      s.taken++;
      if (!o) continue; // cannot happen: a posted outcome is sent before its slot is marked
      finished.push({
        job,
        execution: toExecution(s, job, o),
        startedAt: o.startedAt,
        stoppedAt: o.stoppedAt,
      });
      s.cancels.delete(job.id);
    }
    const word = Atomics.load(s.views.i32, CLAIM);
    if (s.taken === batch.length || (isSealed(word) && s.taken === indexOf(word))) endBatch(s);
  }

  function endBatch(s: Slot): void {
    s.batch = null;
    s.taken = 0;
    s.cancels.clear();
    if (s.killTimer) clearTimeout(s.killTimer);
    s.killTimer = null;
    s.idleSince = Date.now();
  }

  /** Stops the thread from starting more jobs of its batch; the unstarted ones come back. */
  function seal(s: Slot): PoolJob[] {
    const batch = s.batch;
    if (!batch) return [];
    for (;;) {
      const word = Atomics.load(s.views.i32, CLAIM);
      if (isSealed(word)) return [];
      if (Atomics.compareExchange(s.views.i32, CLAIM, word, sealWord(word)) === word) {
        return batch.slice(indexOf(word));
      }
    }
  }

  /**
   * Ends a thread: what it finished is collected, its unstarted jobs come back, the job it was
   * running ends with `execution`, and a fresh thread takes its place.
   */
  function stopThread(s: Slot, execution: Execution, jobId: number | null = null): void {
    const thread = s.thread;
    if (!thread) return;
    const wasReady = s.isReady;
    reclaimed.push(...seal(s));
    collect(s);
    if (s.batch && s.taken < startedCount(s)) {
      const job = s.batch[s.taken]!;
      const startedAt = Number(Atomics.load(s.views.start, 0)) || Date.now();
      // The job meant finished just before the kill and the next one had started: that one is
      // cut short through no fault of its own (an ordinary error, retried if it has attempts).
      const ended =
        jobId === null || job.id === jobId
          ? execution
          : failure("error", "Stopped: its thread was replaced while it ran");
      finished.push({ job, execution: ended, startedAt, stoppedAt: Date.now() });
    }
    endBatch(s);
    s.thread = null;
    s.outcomes?.close();
    s.outcomes = null;
    s.isReady = false;
    void thread.terminate();
    s.views = sharedViews(new SharedArrayBuffer(SHARED_BYTES));
    Atomics.store(s.views.i32, CURRENT, -1);
    s.gen = 0;
    // A thread that died while starting (a broken bundle, say) is not restarted in a tight loop.
    if (!closing && wasReady) spawn(s);
    else if (!closing)
      setTimeout(() => {
        if (!closing && !s.thread) spawn(s);
      }, RESPAWN_AFTER_MS).unref();
    options.onActivity();
  }

  /** The running job of a slot (started, not yet finished), with its start time. */
  function running(s: Slot): { job: PoolJob; startedAt: number } | null {
    if (!s.batch) return null;
    const index = Atomics.load(s.views.i32, CURRENT);
    if (index < s.taken || index >= s.batch.length) return null;
    if (slotStatus(s.views, index) !== SLOT_EMPTY) return null;
    if (startedCount(s) <= index) return null;
    const startedAt = Number(Atomics.load(s.views.start, 0));
    return startedAt > 0 ? { job: s.batch[index]!, startedAt } : null;
  }

  function tick(): void {
    const now = Date.now();
    let activity = false;
    for (const s of slots) {
      if (!s.batch) {
        // Stop threads idle for long, keeping the first warm for a quick pickup.
        if (s !== slots[0] && s.thread && s.isReady && now - s.idleSince > idleThreadMs) {
          const thread = s.thread;
          s.thread = null;
          s.isReady = false;
          s.outcomes?.close();
          s.outcomes = null;
          void thread.terminate();
        }
        continue;
      }
      const before = finished.length;
      collect(s);
      if (finished.length > before) activity = true;
      const r = running(s);
      if (!r) continue;
      if (now - r.startedAt > r.job.timeoutMs) {
        stopThread(
          s,
          failure("timeout", `Timed out after ${r.job.timeoutMs / 1000} s (the task was stopped)`),
          r.job.id,
        );
        activity = true;
      } else if (now - r.startedAt > RECLAIM_AFTER_MS && startedCount(s) < s.batch.length) {
        const back = seal(s);
        if (back.length > 0) {
          reclaimed.push(...back);
          activity = true;
        }
      }
    }
    if (activity) options.onActivity();
  }

  slots.push(newSlot(true));
  for (let i = 1; i < options.size; i++) slots.push(newSlot(false));
  // Every TICK_MS while a thread has work; once a second otherwise (only idle threads to stop).
  let ticker: NodeJS.Timeout | null = null;
  let tickEvery = 0;
  function scheduleTick(): void {
    const every = slots.some((s) => s.batch) ? TICK_MS : IDLE_TICK_MS;
    if (ticker && every >= tickEvery) return;
    if (ticker) clearTimeout(ticker);
    tickEvery = every;
    ticker = setTimeout(() => {
      ticker = null;
      tick();
      if (!closing) scheduleTick();
    }, every);
    ticker.unref();
  }
  scheduleTick();

  const isIdle = (s: Slot) => s.batch === null && s.isReady;
  /** End of the part of a slot's batch that is still its own (a seal hands back the rest). */
  const assignedEnd = (s: Slot) =>
    isSealed(Atomics.load(s.views.i32, CLAIM)) ? startedCount(s) : (s.batch?.length ?? 0);

  return {
    /** Resolves with the task catalog when the first thread has loaded the task registry. */
    ready: () => slots[0]!.ready,
    /** Started threads free to take a batch now. */
    idleCount: () => slots.reduce((n, s) => n + (isIdle(s) ? 1 : 0), 0),
    /**
     * Starts every thread not running. The runner calls this when work has waited with no thread
     * to spare: tiny jobs are served by the threads already running, more start when they cannot
     * keep up.
     */
    grow(): void {
      for (const s of slots) if (!s.thread) spawn(s);
    },
    /** Time the running jobs have run since `since` (ms, summed over threads). */
    runningMs(since: number, now: number): number {
      let sum = 0;
      for (const s of slots) {
        const r = running(s);
        if (r) sum += now - Math.max(r.startedAt, since);
      }
      return sum;
    },
    /** Threads started or starting. */
    threadCount: () => slots.reduce((n, s) => n + (s.thread ? 1 : 0), 0),
    /** Jobs handed to threads and not yet finished. */
    assignedCount: () => slots.reduce((n, s) => n + (s.batch ? assignedEnd(s) - s.taken : 0), 0),
    /** Hands a batch to an idle started thread; false when none is idle. */
    dispatch(jobs: PoolJob[]): boolean {
      const s = slots.find(isIdle);
      if (!s || jobs.length === 0) return false;
      clearSlots(s.views, jobs.length);
      s.gen = nextGen(s.gen);
      Atomics.store(s.views.i32, CLAIM, pack(s.gen, 0));
      s.batch = jobs;
      s.taken = 0;
      scheduleTick();
      s.thread!.postMessage({
        type: "batch",
        gen: s.gen,
        jobs: jobs.map((j) => ({ jobId: j.id, task: j.task, args: j.args, attempt: j.attempt })),
      });
      return true;
    },
    /** Everything finished and every job handed back since the last call. */
    drain(): { finished: Finished[]; reclaimed: PoolJob[] } {
      for (const s of slots) collect(s);
      return { finished: finished.splice(0), reclaimed: reclaimed.splice(0) };
    },
    /**
     * Asks to be told (onActivity) when the next job finishes. Returns true if one already has,
     * so the caller does not wait for a bell that will not ring.
     */
    arm(): boolean {
      let any = finished.length > 0 || reclaimed.length > 0;
      for (const s of slots) {
        if (!s.batch) continue;
        Atomics.store(s.views.i32, ARMED, 1);
        if (slotStatus(s.views, s.taken) !== SLOT_EMPTY) any = true;
      }
      return any;
    },
    /**
     * Stops a job: a running one has its signal aborted (its thread is killed if it has not
     * stopped after `graceMs`); one not yet started comes back with the rest of its batch
     * (through drain) -- the caller decides what to do with it. False if the pool does not hold it.
     */
    abort(jobId: number, reason: string, graceMs: number): "running" | "unstarted" | false {
      const isHandedBack = () => reclaimed.some((j) => j.id === jobId);
      if (isHandedBack()) return "unstarted";
      for (const s of slots) {
        if (!s.batch) continue;
        const index = s.batch.findIndex((j) => j.id === jobId);
        if (index < 0 || index < s.taken) continue;
        if (index >= startedCount(s)) {
          // Not started: take it and the rest of its batch back (an earlier seal may have).
          const back = seal(s);
          const isMine = back.some((j) => j.id === jobId);
          if (back.length > 0) {
            reclaimed.push(...back);
            options.onActivity();
          }
          if (isMine) return "unstarted";
          // Handed back by an earlier seal (and since drained): no longer the pool's.
          if (index >= startedCount(s)) return false;
          // It started in the meantime: stop it as a running job.
        }
        if (s.cancels.has(jobId)) return "running";
        s.cancels.set(jobId, reason);
        s.thread?.postMessage({ type: "abort", jobId, reason });
        const thread = s.thread;
        if (s.killTimer) clearTimeout(s.killTimer);
        s.killTimer = setTimeout(() => {
          if (s.thread !== thread || running(s)?.job.id !== jobId) return;
          stopThread(
            s,
            failure(
              "cancelled",
              `${reason} (the task did not stop within ${graceMs / 1000} s and was killed)`,
            ),
            jobId,
          );
        }, graceMs);
        return "running";
      }
      return false;
    },
    /** Hands back every job not yet started (graceful stop); they come back through drain. */
    sealAll(): void {
      for (const s of slots) reclaimed.push(...seal(s));
    },
    /** Ids of the jobs running now. */
    runningIds: () =>
      slots.flatMap((s) => {
        const r = running(s);
        return r ? [r.job.id] : [];
      }),
    /** Terminates every thread; running jobs end as cancelled ("Worker stopped"). */
    async close(): Promise<void> {
      closing = true;
      if (ticker) clearTimeout(ticker);
      const threads = slots.flatMap((s) => (s.thread ? [s.thread] : []));
      for (const s of slots) if (s.thread) stopThread(s, failure("cancelled", "Worker stopped"));
      await Promise.all(threads.map((t) => t.terminate()));
    },
  };
}

/** The executor pool type. */
export type ExecutorPool = ReturnType<typeof createExecutorPool>;
