/**
 * Setting a database up and filling it: the demo's first start, `seed`, tests, and what the
 * benchmarks read back after a run.
 */
import type { Db } from "../client";
import * as demo from "../queries/demo";
import * as scheduleSeed from "../queries/schedule-seed";
import * as seed from "../queries/seed";
import * as measure from "../bench/measure";
import type { SeedCounts } from "../queries/seed";
import { bindQueries } from "./bind";

// Retention settings from the environment (pure): for `jobdeck prune` beside upkeep.pruneResults.
export { retentionFromEnv, type Retention } from "../queries/upkeep";
export type { SeedCounts } from "../queries/seed";

/** Demo data, bulk seeding and the benchmarks' read-back. */
export interface MaintenanceStore {
  /** True when the database has never held a job, result or schedule, and was never seeded. */
  isFreshDatabase(): Promise<boolean>;
  /** Enqueues a mix of demo jobs (echo, sleep, fail, flaky, cpu, noop) and marks the database seeded. */
  seedDemoJobs(): Promise<number[]>;
  /** Creates the demo schedules that are missing (by name; idempotent), all in UTC. */
  seedDemoSchedules(now?: number): Promise<number>;
  /** Adds the given numbers of successes, failures and (delayed by an hour) queued jobs. */
  seedRows(counts: SeedCounts, now?: number): Promise<void>;
  /** Jobs/s from the first start to the last stop recorded in results (seeded rows excluded). */
  measureThroughput(): Promise<number>;
  /** How long each of these jobs waited between enqueue and start (ms), for those recorded. */
  measurePickupDelays(ids: number[]): Promise<number[]>;
}

export function sqliteMaintenanceStore(db: () => Db): MaintenanceStore {
  return bindQueries(db, { ...demo, ...scheduleSeed, ...seed, ...measure });
}
