/**
 * The worker's loop: claim due jobs for free slots, run each on the executor pool, record the
 * outcomes in batches; renew leases by heartbeat; on stop, finish or release what is running.
 */
import type { ClaimedJob, Outcome, WorkerStore } from "@/db/queries/claim";
import { backoffDelay } from "./backoff";
import type { WorkerConfig } from "./config";
import type { Execution, ExecutorPool } from "./executor";
import type { Logger } from "./log";

/** What the runner needs. */
export interface RunnerDeps {
  store: WorkerStore;
  pool: ExecutorPool;
  config: WorkerConfig;
  log: Logger;
  /** Called when an outcome cannot be written: the process must exit non-zero. */
  onFatal(error: unknown): void;
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

/** Starts the loop; `done` resolves when it stops (after `stop()`, or when a burst drains). */
export function startRunner({ store, pool, config, log, onFatal }: RunnerDeps) {
  const inFlight = new Map<number, ClaimedJob>();
  const cancelRequested = new Set<number>();
  const releasing = new Set<number>();
  const pendingOutcomes: Outcome[] = [];
  const pendingProgress = new Map<number, { value: number; message: string | null }>();
  let flushScheduled = false;
  let stopping = false;
  let wakeUp: (() => void) | null = null;
  let pollNow: (() => void) | null = null;

  function wake(): void {
    const w = wakeUp;
    wakeUp = null;
    w?.();
  }

  function flush(): void {
    flushScheduled = false;
    if (pendingOutcomes.length === 0) return;
    const batch = pendingOutcomes.splice(0);
    try {
      const lost = new Set(store.recordOutcomes(batch));
      for (const o of batch) {
        inFlight.delete(o.job.id);
        const event = lost.has(o.job.id)
          ? "job:lease-lost"
          : o.kind === "success"
            ? "job:succeeded"
            : o.retryAt === null
              ? "job:failed"
              : "job:retrying";
        if (event !== "job:succeeded") {
          log(event, {
            jobId: o.job.id,
            task: o.job.task,
            attempt: o.job.attempts,
            durationMs: o.stoppedAt - o.job.startedAt,
            ...(o.kind === "error" ? { error: o.error } : {}),
          });
        }
      }
    } catch (error) {
      onFatal(error);
    }
    wake();
  }

  function scheduleFlush(): void {
    if (flushScheduled) return;
    flushScheduled = true;
    setImmediate(flush);
  }

  function toOutcome(job: ClaimedJob, e: Execution, stoppedAt: number): Outcome {
    if (e.ok) return { kind: "success", job, stoppedAt, result: e.result };
    const isCancelled = e.kind === "cancelled" && cancelRequested.has(job.id);
    const isFinal = isCancelled || e.error.isPermanent || job.attempts >= job.maxAttempts;
    const prefix =
      e.error.name && e.error.name !== "Error" && e.kind === "error" ? `${e.error.name}: ` : "";
    return {
      kind: "error",
      job,
      stoppedAt,
      error: isCancelled
        ? `Cancelled on request: ${e.error.message}`
        : `${prefix}${e.error.message}`,
      stack: e.error.stack,
      attemptOutcome: isCancelled ? "cancelled" : e.kind === "timeout" ? "timeout" : "error",
      retryAt: isFinal
        ? null
        : stoppedAt +
          backoffDelay(job.attempts, { baseMs: config.backoffBaseMs, maxMs: 3_600_000 }),
    };
  }

  function execute(job: ClaimedJob): void {
    inFlight.set(job.id, job);
    const timeoutMs = job.timeoutMs ?? config.timeoutMs;
    pool
      .run({ id: job.id, task: job.task, args: job.args, attempt: job.attempts }, timeoutMs)
      .then((execution) => {
        pendingProgress.delete(job.id);
        if (releasing.has(job.id)) return; // shutdown: released, not recorded
        pendingOutcomes.push(toOutcome(job, execution, Date.now()));
        cancelRequested.delete(job.id);
        scheduleFlush();
      })
      .catch(onFatal);
  }

  /** Waits until a slot frees, new commits appear, a delayed job comes due, or stop. */
  function waitForWork(): Promise<void> {
    return new Promise((resolve) => {
      let timer: NodeJS.Timeout | null = null;
      let version = store.dataVersion();
      let nextRunAt = store.nextRunAt();
      let checkedAt = Date.now();
      // Due jobs may all be in queues this worker does not take: look (a read) once per change.
      let isDueChecked = false;
      wakeUp = () => {
        if (timer) clearTimeout(timer);
        pollNow = null;
        resolve();
      };
      pollNow = () => {
        if (timer) clearTimeout(timer);
        poll();
      };
      const poll = () => {
        if (pool.free() > 0) {
          const v = store.dataVersion();
          const now = Date.now();
          // New commits by other connections, or the safety recheck once a second.
          if (v !== version || now - checkedAt >= FULL_RECHECK_MS) {
            version = v;
            nextRunAt = store.nextRunAt();
            checkedAt = now;
            isDueChecked = false;
          }
          if (nextRunAt !== null && nextRunAt <= now && !isDueChecked) {
            isDueChecked = true;
            if (store.hasDueJobs(now, config.queues)) return wake();
          }
        }
        timer = setTimeout(poll, IDLE_POLL_MS);
      };
      timer = setTimeout(poll, IDLE_POLL_MS);
    });
  }

  async function loop(): Promise<void> {
    while (!stopping) {
      const free = pool.free();
      if (free > 0 && store.hasDueJobs(Date.now(), config.queues)) {
        const jobs = store.claimJobs(
          Math.min(free, config.claimBatch),
          config.queues,
          config.leaseMs,
        );
        for (const job of jobs) {
          log("job:claimed", { jobId: job.id, task: job.task, attempt: job.attempts }, "debug");
          execute(job);
        }
        if (jobs.length > 0) continue;
      }
      if (
        config.isBurst &&
        pool.free() === config.concurrency &&
        inFlight.size === 0 &&
        !store.hasDueJobs(Date.now(), config.queues)
      ) {
        return;
      }
      await waitForWork();
    }
  }

  function heartbeat(): void {
    try {
      const progress = takeProgress();
      const state = store.renewLeases(config.leaseMs, progress);
      for (const id of pool.runningIds()) {
        const job = inFlight.get(id);
        if (!job) continue;
        if (state.held.get(id) !== job.claimToken) {
          log("job:lease-lost", { jobId: id, task: job.task, attempt: job.attempts });
          pool.abort(id, "Lease lost: another worker may run this job", config.cancelGraceMs);
        } else if (state.cancelRequested.has(id)) {
          requestCancel(id);
        }
      }
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

  const heartbeatTimer = setInterval(heartbeat, config.heartbeatMs);
  function requestCancel(id: number): void {
    const job = inFlight.get(id);
    if (!job || cancelRequested.has(id)) return;
    cancelRequested.add(id);
    log("job:cancelling", { jobId: id, task: job.task, attempt: job.attempts });
    pool.abort(id, "Cancelled on request", config.cancelGraceMs);
  }

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

  const done = loop();

  return {
    done,
    /** Something may have changed in the database (a file watch fired): look now. */
    nudge(): void {
      pollNow?.();
    },
    /** Called by the executor pool with a task's progress report. */
    onProgress(jobId: number, value: number, message: string | null): void {
      pendingProgress.set(jobId, { value, message });
    },
    /** Jobs claimed and not yet recorded. */
    inFlightCount: () => inFlight.size,
    /**
     * Stops claiming, waits up to `graceMs` for running jobs, then stops the rest and puts them
     * back in the queue. Resolves when every outcome is written.
     */
    async stop(graceMs: number): Promise<{ released: number }> {
      stopping = true;
      wake();
      await done;
      const deadline = Date.now() + graceMs;
      while (pool.runningIds().length > 0 && Date.now() < deadline) {
        await new Promise((r) => setTimeout(r, 20));
      }
      const left = pool.runningIds().flatMap((id) => inFlight.get(id) ?? []);
      for (const job of left) releasing.add(job.id);
      await pool.close();
      flush();
      clearInterval(heartbeatTimer);
      clearInterval(progressTimer);
      const released = left.length > 0 ? store.releaseJobs(left) : 0;
      return { released };
    },
  };
}

/** The runner type. */
export type Runner = ReturnType<typeof startRunner>;
