/**
 * The worker store on SQLite: its own connection (PRAGMA data_version, the idle worker's wake-up
 * check, changes only on commits by *other* connections, and those must include this process's
 * scheduler and upkeep), the write round that gives up at once on a taken write lock, the lock
 * bell rung after each round's commit and waited on after a miss, the WAL watch, and the
 * checkpointer thread.
 */
import { openDb } from "../client";
import { createWorkerStore } from "../queries/claim";
import type { WorkerStore, WorkerStoreOptions } from "../store/worker";
import { startCheckpointer } from "./checkpointer";
import { watchWal } from "./commit-watch";
import { openLockBell } from "./lock-bell";

/** A round that found the write lock taken tries again after this long (without a bell)... */
const LOCK_RETRY_MS = 1;
/**
 * ...or at the holder's ring (see lock-bell), and at the latest after this long, doubling with each
 * try that finds the lock still taken up to LOCK_WAIT_MAX_MS: the fallback for holders that do
 * not ring (an enqueue, a dashboard action, an older release), which seldom hold it long. (Tests
 * set JOBDECK_LOCK_FALLBACK_MS high to see that the ring alone brings the retry.)
 */
const LOCK_RING_FALLBACK_MS =
  Number(process.env.JOBDECK_LOCK_FALLBACK_MS) > 0
    ? Number(process.env.JOBDECK_LOCK_FALLBACK_MS)
    : 4;
const LOCK_WAIT_MAX_MS = Math.max(32, LOCK_RING_FALLBACK_MS);
/** Default WAL checkpoint interval (ms) of the housekeeping thread. */
const CHECKPOINT_EVERY_MS = 250;

/** Opens the worker store of `workerId` on a new connection to the SQLite file at `location`. */
export function openSqliteWorkerStore(
  location: string,
  workerId: string,
  options: WorkerStoreOptions = {},
): WorkerStore {
  const db = openDb({ url: location, migrate: false });
  const sync = createWorkerStore(db, workerId);
  const bell = openLockBell(location);
  const { housekeeping } = options;
  const stopCheckpointer = housekeeping
    ? startCheckpointer(location, housekeeping.everyMs ?? CHECKPOINT_EVERY_MS, (message) =>
        housekeeping.onError("checkpoint", message),
      )
    : null;

  return {
    workerId,
    now: () => Date.now(),
    async cycle(outcomes, claim) {
      const written = sync.tryCycle(outcomes, claim);
      // Tells workers waiting for the lock that it is free (see lock-bell).
      if (written !== null) bell?.ring();
      return written;
    },
    whenWritable(misses, onReady) {
      let timer: NodeJS.Timeout | null = null;
      let cancelRing: (() => void) | null = null;
      const cancel = () => {
        if (timer) clearTimeout(timer);
        timer = null;
        cancelRing?.();
        cancelRing = null;
      };
      const ready = () => {
        cancel();
        onReady();
      };
      cancelRing = bell?.wait(ready) ?? null;
      // Without a watch on the bell (none here, or none to spare), poll as before.
      const fallbackMs = Math.min(LOCK_RING_FALLBACK_MS * 2 ** misses, LOCK_WAIT_MAX_MS);
      timer = setTimeout(ready, cancelRing ? fallbackMs : LOCK_RETRY_MS);
      return cancel;
    },
    watchCommits: (onChange) => watchWal(location, onChange),
    changeToken: async () => sync.dataVersion(),
    claimJobs: async (limit, queues, leaseMs) => sync.claimJobs(limit, queues, leaseMs),
    recordOutcomes: async (outcomes) => sync.recordOutcomes(outcomes),
    unclaimJobs: async (jobs) => sync.unclaimJobs(jobs),
    renewLeases: async (leaseMs, progress = []) => sync.renewLeases(leaseMs, progress),
    releaseJobs: async (jobs) => sync.releaseJobs(jobs),
    writeProgress: async (progress) => sync.writeProgress(progress),
    hasDueJobs: async (now, queues) => sync.hasDueJobs(now, queues),
    nextRunAt: async () => sync.nextRunAt(),
    cancelRequests: async () => sync.cancelRequests(),
    async close() {
      stopCheckpointer?.();
      bell?.close();
      if (db.$client.open) db.$client.close();
    },
  };
}
