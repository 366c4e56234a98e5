/**
 * Upkeep chores every worker runs on timers: rescue jobs whose lease expired, prune old results,
 * heartbeat the workers table. Safe with several workers: each chore is one short transaction.
 * (Checkpointing SQLite's WAL is the worker store's own chore: db/sqlite/worker-store.ts.)
 */
import { retentionFromEnv, type UpkeepStore } from "@/db/store/upkeep";
import type { Logger } from "./log";

/** Upkeep timing (ms). */
export interface UpkeepOptions {
  workerId: string;
  leaseMs: number;
  heartbeatMs: number;
  /** Prune interval (default 60 s). */
  pruneMs?: number;
}

/** A chore for a timer: logs its failure, and skips a tick while its previous run goes on. */
function guarded(log: Logger, name: string, fn: () => Promise<void>): () => Promise<void> {
  let isRunning = false;
  return async () => {
    if (isRunning) return;
    isRunning = true;
    try {
      await fn();
    } catch (error) {
      log(`upkeep:${name}-failed`, { error: String(error) }, "error");
    } finally {
      isRunning = false;
    }
  };
}

/** Starts the chores; returns a function that stops them. */
export function startUpkeep(store: UpkeepStore, options: UpkeepOptions, log: Logger): () => void {
  const retention = retentionFromEnv();
  const rescue = guarded(log, "rescue", async () => {
    const r = await store.rescueExpiredLeases();
    if (r.requeued.length + r.failed.length > 0)
      log("job:rescued", { requeued: r.requeued, failed: r.failed });
  });
  const prune = guarded(log, "prune", async () => {
    const r = await store.pruneResults(retention);
    if (r.successes + r.failures > 0) log("results:pruned", r);
    await store.pruneHousekeeping();
  });
  const beat = guarded(log, "heartbeat", () => store.heartbeatWorker(options.workerId));
  void rescue();
  const timers = [
    setInterval(rescue, Math.max(250, Math.min(5_000, Math.round(options.leaseMs / 4)))),
    setInterval(prune, options.pruneMs ?? 60_000),
    setInterval(beat, options.heartbeatMs),
  ];
  const first = setTimeout(prune, 5_000);
  return () => {
    clearTimeout(first);
    for (const t of timers) clearInterval(t);
  };
}
