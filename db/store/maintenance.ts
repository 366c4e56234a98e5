/**
 * Setting a database up and filling it: the demo's first start, `seed`, tests, and what the
 * benchmarks read back after a run.
 */
import { measurePickupDelays, measureThroughput } from "../bench/measure";
import type { Db } from "../client";
import { isFreshDatabase, seedDemoJobs } from "../queries/demo";
import { seedDemoSchedules } from "../queries/schedule-seed";
import { seedRows } from "../queries/seed";
import { bindGroup, type BoundGroup } from "./bind";

// Retention settings from the environment (pure): for `jobdeck prune` beside upkeep.pruneResults.
export { retentionFromEnv, type Retention } from "../queries/upkeep";
export type { SeedCounts } from "../queries/seed";

const sqliteMaintenance = {
  isFreshDatabase,
  seedDemoJobs,
  seedDemoSchedules,
  seedRows,
  measureThroughput,
  measurePickupDelays,
};

/** Demo data, bulk seeding and the benchmarks' read-back. */
export type MaintenanceStore = BoundGroup<typeof sqliteMaintenance>;

export function sqliteMaintenanceStore(db: () => Db): MaintenanceStore {
  return bindGroup(db, sqliteMaintenance);
}
