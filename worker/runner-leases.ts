/**
 * The runner's leases, cancels and progress (worker/runner.ts): the heartbeat renews the leases
 * of every job this worker holds (and writes progress); a job whose lease was lost is dropped or
 * aborted; cancel requests, from the heartbeat or the faster progress timer, stop the job.
 */
import type { ClaimedJob, Outcome, ProgressReport, WorkerStore } from "@/db/store/worker";
import type { WorkerConfig } from "./config";
import type { ExecutorPool } from "./executor";
import type { Logger } from "./log";
import { cancelledBeforeStart } from "./outcomes";
import type { RunnerState } from "./runner-state";

/** Progress reports reach the database at most this often (and cancel requests are looked for). */
export const PROGRESS_FLUSH_MS = 500;

/** What the lease keeper needs from the runner. */
export interface LeaseDeps {
  store: WorkerStore;
  pool: ExecutorPool;
  config: WorkerConfig;
  log: Logger;
  jobs: RunnerState["jobs"];
  writes: RunnerState["writes"];
  /** Asks the runner for a round. */
  schedule(): void;
  /** Adds an outcome to those waiting to be written. */
  addOutcome(o: Outcome): void;
}

/** The heartbeat and the progress flush of one runner (each run from a timer). */
export function leaseKeeper({
  store,
  pool,
  config,
  log,
  jobs,
  writes,
  schedule,
  addOutcome,
}: LeaseDeps) {
  function removeFromBuffer(id: number): ClaimedJob | null {
    const i = jobs.buffer.findIndex((j) => j.id === id);
    return i < 0 ? null : jobs.buffer.splice(i, 1)[0]!;
  }

  async function heartbeat(): Promise<void> {
    try {
      const leases = await store.renewLeases(config.leaseMs, takeProgress());
      for (const [id, job] of jobs.inFlight) {
        if (leases.held.get(id) !== job.claimToken) {
          if (writes.outcomes.some((o) => o.job.id === id)) continue; // the write will tell
          log("job:lease-lost", { jobId: id, task: job.task, attempt: job.attempts });
          if (removeFromBuffer(id)) jobs.inFlight.delete(id);
          // Not running in a thread: handed back unstarted (drop it when it comes back) or done.
          else if (
            pool.abort(id, "Lease lost: another worker may run this job", config.cancelGraceMs) !==
            "running"
          )
            jobs.leaseLost.add(id);
        } else if (leases.cancelRequested.has(id)) {
          requestCancel(id);
        }
      }
      schedule();
    } catch (error) {
      log("worker:heartbeat-failed", { error: String(error) }, "error");
    }
  }

  function takeProgress(): ProgressReport[] {
    const list: ProgressReport[] = [];
    for (const [id, p] of writes.progress) {
      const job = jobs.inFlight.get(id);
      if (job) list.push({ id, token: job.claimToken, value: p.value, message: p.message });
    }
    writes.progress.clear();
    return list;
  }

  /** Cancel requests are noticed within half a second, not only at the next heartbeat. */
  async function flushProgress(): Promise<void> {
    try {
      if (jobs.inFlight.size > 0) for (const id of await store.cancelRequests()) requestCancel(id);
      if (writes.progress.size === 0) return;
      await store.writeProgress(takeProgress());
    } catch (error) {
      log("worker:progress-failed", { error: String(error) }, "error");
    }
  }

  function requestCancel(id: number): void {
    const job = jobs.inFlight.get(id);
    if (!job || jobs.cancelRequested.has(id)) return;
    jobs.cancelRequested.add(id);
    log("job:cancelling", { jobId: id, task: job.task, attempt: job.attempts });
    if (removeFromBuffer(id)) addOutcome(cancelledBeforeStart(job, store.now()));
    else pool.abort(id, "Cancelled on request", config.cancelGraceMs);
    schedule();
  }

  return { heartbeat, flushProgress };
}
