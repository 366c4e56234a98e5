/**
 * Runs one job at a time in each of N executor threads, off the main event loop. Enforces the
 * hard timeout (terminates the thread, which stops even a busy loop, and starts a fresh one), and
 * cancellation (aborts the task's AbortSignal; terminates after a grace period).
 */
import { Worker } from "node:worker_threads";
import type { ThreadError, ThreadReply } from "./executor-protocol";

/** How one execution ended. */
export type Execution =
  | { ok: true; result: string }
  | { ok: false; kind: "error" | "timeout" | "cancelled"; error: ThreadError };

interface Current {
  jobId: number;
  resolve(e: Execution): void;
  timer: NodeJS.Timeout;
  killTimer: NodeJS.Timeout | null;
  cancelReason: string | null;
}

interface Slot {
  thread: Worker;
  ready: Promise<void>;
  /** The thread has loaded the registry: a job sent now starts at once. */
  isReady: boolean;
  current: Current | null;
}

/** Options of the executor pool. */
export interface ExecutorOptions {
  size: number;
  bundlePath: string;
  /** Maps stack frames in the bundle back to the TypeScript sources. */
  remapStack?(stack: string): string;
  onProgress(jobId: number, value: number, message: string | null): void;
  onThreadError?(error: Error): void;
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

/** Creates the pool; threads start at once and are replaced when killed. */
export function createExecutorPool(options: ExecutorOptions) {
  const slots: Slot[] = [];
  let closing = false;

  function finish(slot: Slot, execution: Execution): void {
    const cur = slot.current;
    if (!cur) return;
    clearTimeout(cur.timer);
    if (cur.killTimer) clearTimeout(cur.killTimer);
    slot.current = null;
    cur.resolve(execution);
  }

  function spawn(slot: Partial<Slot>): Slot {
    const thread = new Worker(options.bundlePath, {
      resourceLimits: { maxYoungGenerationSizeMb: 4 },
    });
    const s = slot as Slot;
    s.thread = thread;
    s.isReady = false;
    s.current = s.current ?? null;
    s.ready = new Promise<void>((resolve, reject) => {
      thread.once("error", reject);
      thread.on("message", function onReady(m: ThreadReply) {
        if (m.type === "ready") {
          thread.off("message", onReady);
          thread.off("error", reject);
          if (s.thread === thread) s.isReady = true;
          resolve();
        }
      });
    });
    s.ready.catch(() => undefined);
    thread.on("message", (m: ThreadReply) => {
      if (m.type === "progress") options.onProgress(m.jobId, m.value, m.message);
      else if (m.type === "done" && s.current?.jobId === m.jobId && s.thread === thread) {
        const cancelled = s.current.cancelReason !== null && !m.ok && m.error.isAborted;
        if (!m.ok && m.error.stack && options.remapStack)
          m.error.stack = options.remapStack(m.error.stack);
        finish(
          s,
          m.ok ? m : { ok: false, kind: cancelled ? "cancelled" : "error", error: m.error },
        );
      }
    });
    thread.on("error", (error) => {
      options.onThreadError?.(error);
      if (s.thread === thread)
        finish(
          s,
          failure("error", `Executor thread crashed: ${error.message}`, error.stack ?? null),
        );
    });
    thread.on("exit", () => {
      if (s.thread !== thread || closing) return;
      finish(s, failure("error", "Executor thread exited unexpectedly"));
      spawn(s);
    });
    return s;
  }

  /** Kills the slot's thread (even a blocked one) and starts a fresh one. */
  function replaceThread(slot: Slot): void {
    const old = slot.thread;
    spawn(slot);
    void old.terminate();
  }

  for (let i = 0; i < options.size; i++) slots.push(spawn({}));

  return {
    /** Resolves when every thread has loaded the task registry. */
    ready: () => Promise.all(slots.map((s) => s.ready)).then(() => undefined),
    /** Number of idle slots. */
    // Only slots whose thread is ready count: a job is claimed only when it can start at once,
    // which keeps "claimed but not yet started" (an attempt without a run) as short as possible.
    free: () => slots.filter((s) => s.current === null && s.isReady).length,
    /** Runs a job on an idle slot; rejects if none is idle (the runner never over-claims). */
    async run(
      job: { id: number; task: string; args: string; attempt: number },
      timeoutMs: number,
    ): Promise<Execution> {
      const slot = slots.find((s) => s.current === null && s.isReady);
      if (!slot) throw new Error("no idle executor slot");
      return new Promise<Execution>((resolve) => {
        const timer = setTimeout(() => {
          finish(
            slot,
            failure("timeout", `Timed out after ${timeoutMs / 1000} s (the task was stopped)`),
          );
          replaceThread(slot);
        }, timeoutMs);
        slot.current = { jobId: job.id, resolve, timer, killTimer: null, cancelReason: null };
        void slot.ready.then(() => {
          if (slot.current?.jobId !== job.id) return;
          slot.thread.postMessage({
            type: "run",
            jobId: job.id,
            task: job.task,
            args: job.args,
            attempt: job.attempt,
          });
        });
      });
    },
    /** Aborts a running job's signal; terminates its thread if it has not stopped after `graceMs`. */
    abort(jobId: number, reason: string, graceMs: number): boolean {
      const slot = slots.find((s) => s.current?.jobId === jobId);
      if (!slot?.current || slot.current.cancelReason !== null) return false;
      slot.current.cancelReason = reason;
      slot.thread.postMessage({ type: "abort", jobId, reason });
      slot.current.killTimer = setTimeout(() => {
        if (slot.current?.jobId !== jobId) return;
        finish(
          slot,
          failure(
            "cancelled",
            `${reason} (the task did not stop within ${graceMs / 1000} s and was killed)`,
          ),
        );
        replaceThread(slot);
      }, graceMs);
      return true;
    },
    /** Ids of the jobs running now. */
    runningIds: () => slots.flatMap((s) => (s.current ? [s.current.jobId] : [])),
    /** Terminates every thread (running jobs resolve as cancelled). */
    async close(): Promise<void> {
      closing = true;
      for (const s of slots) finish(s, failure("cancelled", "Worker stopped"));
      await Promise.all(slots.map((s) => s.thread.terminate()));
    },
  };
}

/** The executor pool type. */
export type ExecutorPool = ReturnType<typeof createExecutorPool>;
