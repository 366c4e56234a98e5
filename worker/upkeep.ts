/**
 * Upkeep chores every worker runs on timers: rescue jobs whose lease expired, prune old results,
 * heartbeat the workers table, checkpoint the WAL. Safe with several workers: each chore is one
 * short transaction (a checkpoint another connection is running is skipped).
 */
import { startCheckpointer } from "@/db/checkpointer";
import type { Db } from "@/db/client";
import {
  heartbeatWorker,
  pruneHousekeeping,
  pruneResults,
  rescueExpiredLeases,
  retentionFromEnv,
} from "@/db/queries/upkeep";
import type { Logger } from "./log";

/** Upkeep timing (ms). */
export interface UpkeepOptions {
  workerId: string;
  leaseMs: number;
  heartbeatMs: number;
  /** Prune interval (default 60 s). */
  pruneMs?: number;
  /** WAL checkpoint interval (default 250 ms), which keeps checkpoints out of every connection's commits. */
  checkpointMs?: number;
}

function guarded(log: Logger, name: string, fn: () => void): () => void {
  return () => {
    try {
      fn();
    } catch (error) {
      log(`upkeep:${name}-failed`, { error: String(error) }, "error");
    }
  };
}

/** Starts the chores; returns a function that stops them. */
export function startUpkeep(db: Db, options: UpkeepOptions, log: Logger): () => void {
  const retention = retentionFromEnv();
  const rescue = guarded(log, "rescue", () => {
    const r = rescueExpiredLeases(db);
    if (r.requeued.length + r.failed.length > 0)
      log("job:rescued", { requeued: r.requeued, failed: r.failed });
  });
  const prune = guarded(log, "prune", () => {
    const r = pruneResults(db, retention);
    if (r.successes + r.failures > 0) log("results:pruned", r);
    pruneHousekeeping(db);
  });
  const beat = guarded(log, "heartbeat", () => heartbeatWorker(db, options.workerId));
  rescue();
  const timers = [
    setInterval(rescue, Math.max(250, Math.min(5_000, Math.round(options.leaseMs / 4)))),
    setInterval(prune, options.pruneMs ?? 60_000),
    setInterval(beat, options.heartbeatMs),
  ];
  const stopCheckpointer = startCheckpointer(
    db.$client.name,
    options.checkpointMs ?? 250,
    (error) => log("upkeep:checkpoint-failed", { error }, "error"),
  );
  const first = setTimeout(prune, 5_000);
  return () => {
    clearTimeout(first);
    for (const t of timers) clearInterval(t);
    stopCheckpointer();
  };
}
