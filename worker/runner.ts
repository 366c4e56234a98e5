/**
 * The worker's loop. Each round ("pump") takes what the executor threads finished, writes those
 * outcomes and claims the next jobs in one short transaction, and hands the claimed jobs to idle
 * threads in batches. Batches are sized by how long jobs take (many tiny jobs per batch, one slow
 * job per batch); slow jobs are claimed only for a thread that starts them at once, tiny ones two
 * batches per thread ahead (at most MAX_HELD). Threads start as the running ones stay busy. An idle
 * worker waits for a bell from a thread, a commit by another process (WAL watch, PRAGMA
 * data_version) or a delayed job coming due. Heartbeats renew the leases; on stop, unstarted jobs
 * go back uncounted, running ones finish within the grace period or are released.
 */
import type { ClaimedJob, Outcome, WorkerStore } from "@/db/queries/claim";
import { maskSecretText } from "@/db/mask-secrets";
import { DEFAULT_RETRY_POLICY, retryAt, type RetryPolicy } from "./retry-policy";
import type { WorkerConfig } from "./config";
import type { Execution, ExecutorPool, Finished, PoolJob } from "./executor";
import { MAX_BATCH } from "./executor-protocol";
import type { LockBell } from "./lock-bell";
import type { Logger } from "./log";

/** What the runner needs. */
export interface RunnerDeps {
  store: WorkerStore;
  pool: ExecutorPool;
  config: WorkerConfig;
  log: Logger;
  /** Called when an outcome cannot be written: the process must exit non-zero. */
  onFatal(error: unknown): void;
  /**
   * Starts watching for commits by any process (calls `onChange` on each); returns a function
   * that stops it. The runner watches only while idle: a busy worker would otherwise wake for
   * every write to the WAL by every other worker (thousands a second).
   */
  watchCommits?(onChange: () => void): () => void;
  /** Rung after each write round; waited on when the write lock is taken (see lock-bell). */
  lockBell?: LockBell | null;
}

/**
 * Idle check interval: how often an idle worker looks for new commits (PRAGMA data_version).
 * With a change watch on the WAL file (see nudge) this is only the fallback.
 */
const IDLE_POLL_MS = Number(process.env.JOBDECK_IDLE_POLL_MS ?? 25);
/** Even without a sign of new commits, look for due jobs this often. */
const FULL_RECHECK_MS = 1000;
/** Progress reports reach the database at most this often. */
const PROGRESS_FLUSH_MS = 500;
/** A thread's batch is sized to take about this long, by the average job duration. */
const BATCH_BUDGET_MS = 2;
/** Outcomes are written once this many wait... */
const MIN_WRITE = 64;
/** ...or the oldest has waited this long (ms). */
const MAX_WRITE_DELAY_MS = 2;
/** A round that found the write lock taken tries again after this long (without a bell)... */
const LOCK_RETRY_MS = 1;
/**
 * ...or at the holder's ring (see lock-bell), and at the latest after this long, doubling with each
 * try that finds the lock still taken up to LOCK_WAIT_MAX_MS: the fallback for holders that do
 * not ring (an enqueue, a dashboard action, an older release), which seldom hold it long. (Tests
 * set it high to see that the ring alone brings the retry.)
 */
const LOCK_RING_FALLBACK_MS =
  Number(process.env.JOBDECK_LOCK_FALLBACK_MS) > 0
    ? Number(process.env.JOBDECK_LOCK_FALLBACK_MS)
    : 4;
const LOCK_WAIT_MAX_MS = Math.max(32, LOCK_RING_FALLBACK_MS);
/** Thread use is judged over windows of this length... */
const GROW_WINDOW_MS = 20;
/** ...and threads busy this share of it while work waits start the rest (up to --concurrency). */
const GROW_BUSY = 0.75;
/** Most jobs a worker holds claimed ahead (fast jobs only). */
const MAX_HELD = 512;

/** Starts the loop; `done` resolves when a burst drains (or the runner stops). */
export function startRunner({
  store,
  pool,
  config,
  log,
  onFatal,
  watchCommits,
  lockBell,
}: RunnerDeps) {
  const retryPolicy: RetryPolicy = { ...DEFAULT_RETRY_POLICY, baseMs: config.backoffBaseMs };
  /** Claimed and not yet recorded: in the buffer, in a thread, or awaiting the write. */
  const inFlight = new Map<number, ClaimedJob>();
  /** Claimed, not yet handed to a thread. */
  const buffer: ClaimedJob[] = [];
  const cancelRequested = new Set<number>();
  const leaseLost = new Set<number>();
  const releasing = new Set<number>();
  const pendingOutcomes: Outcome[] = [];
  const pendingProgress = new Map<number, { value: number; message: string | null }>();
  let stopping = false;
  let isScheduled = false;
  /** Due jobs for this worker may be waiting (false after a claim came back short). */
  let mayHaveWork = true;
  /** Moving average of job duration (ms): sizes the batches. Starts cautious. */
  let averageMs = BATCH_BUDGET_MS;
  let idleTimer: NodeJS.Timeout | null = null;
  /** Time the threads spent running jobs that finished since windowStart (for growth). */
  let busyMs = 0;
  let windowStart = Date.now();
  let growTimer: NodeJS.Timeout | null = null;
  /** When the oldest outcome not yet written arrived. */
  let pendingSince = 0;
  let writeTimer: NodeJS.Timeout | null = null;
  /** Set while waiting to retry a write another process held the lock for. */
  let lockRetry: NodeJS.Timeout | null = null;
  /** Cancels the wait for the lock bell, while one runs. */
  let cancelRing: (() => void) | null = null;
  /** Tries in a row that found the write lock taken. */
  let lockMisses = 0;
  let version = store.dataVersion();
  let nextRunAt: number | null = null;
  let lookedAt = 0;
  /** Quick rechecks left after a WAL change. */
  let recheckSoon = 0;
  /** Stops the commit watch, while one runs (idle only). */
  let unwatch: (() => void) | null = null;
  let resolveDone!: () => void;
  const done = new Promise<void>((resolve) => (resolveDone = resolve));

  const batchSize = () =>
    Math.max(1, Math.min(MAX_BATCH, Math.floor(BATCH_BUDGET_MS / Math.max(averageMs, 0.005))));

  function schedule(): void {
    if (isScheduled) return;
    isScheduled = true;
    setImmediate(pump);
  }

  function toPoolJob(job: ClaimedJob): PoolJob {
    return {
      id: job.id,
      task: job.task,
      args: job.args,
      attempt: job.attempts,
      timeoutMs: job.timeoutMs ?? config.timeoutMs,
    };
  }

  function toOutcome(job: ClaimedJob, e: Execution, startedAt: number, stoppedAt: number): Outcome {
    if (e.ok) return { kind: "success", job, startedAt, stoppedAt, result: e.result };
    const isCancelled = e.kind === "cancelled" && cancelRequested.has(job.id);
    const prefix =
      e.error.name && e.error.name !== "Error" && e.kind === "error" ? `${e.error.name}: ` : "";
    return {
      kind: "error",
      job,
      startedAt,
      stoppedAt,
      error: isCancelled
        ? `Cancelled on request: ${e.error.message}`
        : `${prefix}${e.error.message}`,
      stack: e.error.stack,
      attemptOutcome: isCancelled ? "cancelled" : e.kind === "timeout" ? "timeout" : "error",
      retryAt: retryAt(
        {
          attempts: job.attempts,
          maxAttempts: job.maxAttempts,
          isPermanent: e.error.isPermanent,
          isCancelled,
        },
        stoppedAt,
        retryPolicy,
      ),
    };
  }

  function addOutcome(o: Outcome): void {
    if (pendingOutcomes.length === 0) pendingSince = Date.now();
    pendingOutcomes.push(o);
  }

  /** A claimed job that never started was cancelled: it fails for good, as cancelled. */
  function cancelUnstarted(job: ClaimedJob): void {
    const now = Date.now();
    addOutcome({
      kind: "error",
      job,
      startedAt: now,
      stoppedAt: now,
      error: "Cancelled on request before it started",
      stack: null,
      attemptOutcome: "cancelled",
      retryAt: null,
    });
  }

  function onFinished(f: Finished): void {
    const job = inFlight.get(f.job.id);
    if (!job) return;
    pendingProgress.delete(job.id);
    if (releasing.has(job.id)) return; // shutdown: released, not recorded
    const ms = f.stoppedAt - f.startedAt;
    averageMs = averageMs * 0.9 + ms * 0.1;
    busyMs += ms;
    addOutcome(toOutcome(job, f.execution, f.startedAt, f.stoppedAt));
  }

  /** Jobs a thread handed back unstarted: cancelled, lost, returned (stopping) or run elsewhere. */
  function onReclaimed(jobs: PoolJob[], unclaim: ClaimedJob[]): void {
    const again: ClaimedJob[] = [];
    for (const p of jobs) {
      const job = inFlight.get(p.id);
      if (!job) continue;
      if (leaseLost.has(job.id)) {
        inFlight.delete(job.id);
        leaseLost.delete(job.id);
      } else if (cancelRequested.has(job.id)) cancelUnstarted(job);
      else if (stopping) unclaim.push(job);
      else again.push(job);
    }
    buffer.unshift(...again);
  }

  function dispatchBuffered(): boolean {
    let any = false;
    const size = batchSize();
    for (let idle = pool.idleCount(); buffer.length > 0 && idle > 0; idle--) {
      const jobs = buffer.splice(0, Math.min(size, Math.ceil(buffer.length / idle)));
      if (!pool.dispatch(jobs.map(toPoolJob))) {
        buffer.unshift(...jobs);
        break;
      }
      any = true;
    }
    return any;
  }

  /** Logs what was written; forgets the recorded jobs. */
  function afterWrite(outcomes: Outcome[], lost: number[]): void {
    const lostIds = new Set(lost);
    for (const o of outcomes) {
      leaseLost.delete(o.job.id);
      // A retry this worker wrote is its own commit: data_version will not tell the idle check.
      if (o.kind === "error" && o.retryAt !== null && !lostIds.has(o.job.id))
        nextRunAt = nextRunAt === null ? o.retryAt : Math.min(nextRunAt, o.retryAt);
      inFlight.delete(o.job.id);
      cancelRequested.delete(o.job.id);
      const event = lostIds.has(o.job.id)
        ? "job:lease-lost"
        : o.kind === "success"
          ? null
          : o.retryAt === null
            ? "job:failed"
            : "job:retrying";
      if (event === null) continue;
      log(event, {
        jobId: o.job.id,
        task: o.job.task,
        attempt: o.job.attempts,
        durationMs: o.stoppedAt - (o.startedAt ?? o.job.startedAt),
        // Errors carry whatever the task put in them: masked like every other place they show.
        ...(o.kind === "error" ? { error: maskSecretText(o.error) } : {}),
      });
    }
  }

  /** Writes the pending outcomes (no claim). */
  function flushOutcomes(): void {
    if (pendingOutcomes.length === 0) return;
    const outcomes = pendingOutcomes.splice(0);
    afterWrite(outcomes, store.recordOutcomes(outcomes));
  }

  function pump(): void {
    isScheduled = false;
    if (stopping) return;
    try {
      step();
    } catch (error) {
      onFatal(error);
    }
  }

  function step(): void {
    const now = Date.now();
    const { finished, reclaimed } = pool.drain();
    for (const f of finished) onFinished(f);
    onReclaimed(reclaimed, []);
    let progressed = finished.length > 0 || reclaimed.length > 0;
    progressed = dispatchBuffered() || progressed;

    let limit = 0;
    if (mayHaveWork) {
      const size = batchSize();
      const held = buffer.length + pool.assignedCount();
      // Slow jobs: claim only what an idle thread starts at once, so a claimed job rarely waits
      // (a claim counts an attempt). Fast jobs: claim ahead, two batches per thread.
      limit =
        size === 1
          ? pool.idleCount() - buffer.length
          : Math.min(MAX_HELD, pool.threadCount() * size * 2) - held;
      // A read first: a worker with nothing to do never takes the write lock.
      if (limit > 0 && pendingOutcomes.length === 0 && !store.hasDueJobs(now, config.queues)) {
        limit = 0;
        setNoWork();
      }
    }
    // Write when threads need work, or enough outcomes wait, or the oldest has waited long
    // enough: fewer, larger transactions, which matters most when workers share the lock.
    const wantClaim = limit > 0 && buffer.length === 0;
    const wantWrite =
      pendingOutcomes.length >= MIN_WRITE ||
      (pendingOutcomes.length > 0 && now - pendingSince >= MAX_WRITE_DELAY_MS);
    if (pendingOutcomes.length > 0 && !wantWrite && !writeTimer) {
      writeTimer = setTimeout(
        () => {
          writeTimer = null;
          schedule();
        },
        pendingSince + MAX_WRITE_DELAY_MS - now,
      );
    }
    if ((wantClaim || wantWrite) && !lockRetry) {
      const written = store.tryCycle(pendingOutcomes, {
        limit: Math.max(0, limit),
        queues: config.queues,
        leaseMs: config.leaseMs,
      });
      if (written === null) {
        waitForLock();
        return;
      }
      lockMisses = 0;
      lockBell?.ring();
      const outcomes = pendingOutcomes.splice(0);
      const { lost, claimed } = written;
      afterWrite(outcomes, lost);
      if (limit > 0 && claimed.length < limit) setNoWork();
      for (const job of claimed) {
        inFlight.set(job.id, job);
        buffer.push(job);
      }
      dispatchBuffered();
      progressed = true;
    }

    if (config.isBurst && !mayHaveWork && inFlight.size === 0 && buffer.length === 0) {
      if (!store.hasDueJobs(Date.now(), config.queues)) return resolveDone();
      look();
      progressed = true;
    }
    growIfBehind(now);
    if (progressed || pool.arm()) schedule();
  }

  /**
   * Another process holds the write lock: try again when it rings the bell (or after the
   * fallback delay); the threads go on meanwhile.
   */
  function waitForLock(): void {
    const retry = () => {
      if (lockRetry) clearTimeout(lockRetry);
      lockRetry = null;
      cancelRing?.();
      cancelRing = null;
      schedule();
    };
    cancelRing = lockBell?.wait(retry) ?? null;
    // Without a watch on the bell (none here, or none to spare), poll as before.
    const fallbackMs = Math.min(LOCK_RING_FALLBACK_MS * 2 ** lockMisses++, LOCK_WAIT_MAX_MS);
    lockRetry = setTimeout(retry, cancelRing ? fallbackMs : LOCK_RETRY_MS);
  }

  /**
   * Starts the missing threads when the running ones are busy (they spent at least GROW_BUSY of
   * the last window running jobs) while work waits. Tiny jobs keep one thread far from busy and
   * never start more; jobs that take time start them all within a window.
   */
  function growIfBehind(now: number): void {
    if (pool.threadCount() >= config.concurrency) return;
    if (buffer.length === 0 && !mayHaveWork) return;
    const elapsed = now - windowStart;
    if (elapsed >= GROW_WINDOW_MS) {
      const busy = (busyMs + pool.runningMs(windowStart, now)) / (elapsed * pool.threadCount());
      windowStart = now;
      busyMs = 0;
      if (busy >= GROW_BUSY) {
        if (buffer.length > 0 || store.hasDueJobs(now, config.queues)) pool.grow();
        return;
      }
    }
    // Work waits and threads could start: judge the next window even if nothing else happens.
    growTimer ??= setTimeout(() => {
      growTimer = null;
      schedule();
    }, GROW_WINDOW_MS);
  }

  /** The queue had nothing more for this worker: watch for commits and delayed jobs coming due. */
  function setNoWork(): void {
    // Watch first, then check: a commit from before the watch shows in data_version (a commit
    // since the last look, while busy and not watching, is the usual case): look again.
    unwatch ??= watchCommits?.(nudge) ?? null;
    if (store.dataVersion() !== version) return look();
    mayHaveWork = false;
    nextRunAt = store.nextRunAt();
    if (!idleTimer) idleTimer = setTimeout(poll, IDLE_POLL_MS);
  }

  /** Looks for due jobs in the next round. */
  function look(): void {
    unwatch?.();
    unwatch = null;
    version = store.dataVersion();
    lookedAt = Date.now();
    mayHaveWork = true;
    schedule();
  }

  /**
   * The idle check, every IDLE_POLL_MS (and at once on a WAL change): a commit by another
   * connection (PRAGMA data_version, a few microseconds) or a delayed job coming due makes the
   * next round look (a read; the write lock only if something is due); otherwise once a second.
   */
  function poll(): void {
    idleTimer = null;
    if (stopping || mayHaveWork) return;
    try {
      const now = Date.now();
      if (store.dataVersion() !== version) return look();
      // Looked since it came due and found nothing for us (another queue's job): wait.
      if (nextRunAt !== null && nextRunAt <= now && lookedAt < nextRunAt) return look();
      if (now - lookedAt >= FULL_RECHECK_MS) return look();
    } catch (error) {
      log("worker:poll-failed", { error: String(error) }, "error");
    }
    idleTimer = setTimeout(poll, recheckSoon-- > 0 ? 1 : IDLE_POLL_MS);
  }

  function removeFromBuffer(id: number): ClaimedJob | null {
    const i = buffer.findIndex((j) => j.id === id);
    return i < 0 ? null : buffer.splice(i, 1)[0]!;
  }

  function heartbeat(): void {
    try {
      const state = store.renewLeases(config.leaseMs, takeProgress());
      for (const [id, job] of inFlight) {
        if (state.held.get(id) !== job.claimToken) {
          if (pendingOutcomes.some((o) => o.job.id === id)) continue; // the write will tell
          log("job:lease-lost", { jobId: id, task: job.task, attempt: job.attempts });
          if (removeFromBuffer(id)) inFlight.delete(id);
          // Not running in a thread: handed back unstarted (drop it when it comes back) or done.
          else if (
            pool.abort(id, "Lease lost: another worker may run this job", config.cancelGraceMs) !==
            "running"
          )
            leaseLost.add(id);
        } else if (state.cancelRequested.has(id)) {
          requestCancel(id);
        }
      }
      schedule();
    } catch (error) {
      log("worker:heartbeat-failed", { error: String(error) }, "error");
    }
  }

  function takeProgress() {
    const list: { id: number; token: string; value: number; message: string | null }[] = [];
    for (const [id, p] of pendingProgress) {
      const job = inFlight.get(id);
      if (job) list.push({ id, token: job.claimToken, value: p.value, message: p.message });
    }
    pendingProgress.clear();
    return list;
  }

  function requestCancel(id: number): void {
    const job = inFlight.get(id);
    if (!job || cancelRequested.has(id)) return;
    cancelRequested.add(id);
    log("job:cancelling", { jobId: id, task: job.task, attempt: job.attempts });
    if (removeFromBuffer(id)) cancelUnstarted(job);
    else pool.abort(id, "Cancelled on request", config.cancelGraceMs);
    schedule();
  }

  const heartbeatTimer = setInterval(heartbeat, config.heartbeatMs);
  const progressTimer = setInterval(() => {
    try {
      // Cancel requests are noticed within half a second, not only at the next heartbeat.
      if (inFlight.size > 0) for (const id of store.cancelRequests()) requestCancel(id);
      if (pendingProgress.size === 0) return;
      store.writeProgress(takeProgress());
    } catch (error) {
      log("worker:progress-failed", { error: String(error) }, "error");
    }
  }, PROGRESS_FLUSH_MS);

  schedule();

  const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

  /** Something may have changed in the database (the commit watch fired): look now. */
  function nudge(): void {
    if (stopping || mayHaveWork) return;
    if (idleTimer) clearTimeout(idleTimer);
    // The watch fires when the WAL is written, a moment before the commit is visible: if it
    // is not yet, look again in a millisecond rather than at the next idle poll.
    recheckSoon = 3;
    poll();
  }

  return {
    done,
    /** A thread finished something or handed jobs back. */
    onActivity(): void {
      if (!stopping) schedule();
    },
    /** Called by the executor pool with a task's progress report. */
    onProgress(jobId: number, value: number, message: string | null): void {
      pendingProgress.set(jobId, { value, message });
    },
    /** Jobs claimed and not yet recorded. */
    inFlightCount: () => inFlight.size,
    /**
     * Stops claiming; jobs not yet started go back to the queue uncounted; running ones get up
     * to `graceMs` to finish, then are stopped and put back. Resolves when every outcome is
     * written.
     */
    async stop(graceMs: number): Promise<{ released: number; returned: number }> {
      stopping = true;
      if (idleTimer) clearTimeout(idleTimer);
      if (lockRetry) clearTimeout(lockRetry);
      lockRetry = null;
      cancelRing?.();
      cancelRing = null;
      unwatch?.();
      unwatch = null;
      resolveDone();
      pool.sealAll();
      const unclaim = buffer.splice(0);
      const collect = () => {
        const { finished, reclaimed } = pool.drain();
        for (const f of finished) onFinished(f);
        onReclaimed(reclaimed, unclaim);
        flushOutcomes();
      };
      collect();
      const back = unclaim.splice(0);
      const returned = back.length > 0 ? store.unclaimJobs(back) : 0;
      for (const job of back) inFlight.delete(job.id);
      const deadline = Date.now() + graceMs;
      while (pool.runningIds().length > 0 && Date.now() < deadline) {
        await sleep(20);
        collect();
      }
      collect();
      const left = pool.runningIds().flatMap((id) => inFlight.get(id) ?? []);
      for (const job of left) releasing.add(job.id);
      await pool.close();
      collect();
      clearInterval(heartbeatTimer);
      clearInterval(progressTimer);
      const released = left.length > 0 ? store.releaseJobs(left) : 0;
      const lateReturned = unclaim.length > 0 ? store.unclaimJobs(unclaim) : 0;
      return { released, returned: returned + lateReturned };
    },
  };
}

/** The runner type. */
export type Runner = ReturnType<typeof startRunner>;
