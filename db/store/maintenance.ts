/** Setting a database up and filling it: the demo's first start, `seed`, and tests. */
import type { Db } from "../client";
import { isFreshDatabase, seedDemoJobs } from "../queries/demo";
import { seedDemoSchedules } from "../queries/schedule-seed";
import { seedRows } from "../queries/seed";
import { bindGroup, type BoundGroup } from "./bind";

const sqliteMaintenance = {
  isFreshDatabase,
  seedDemoJobs,
  seedDemoSchedules,
  seedRows,
};

/** Demo data and bulk seeding. */
export type MaintenanceStore = BoundGroup<typeof sqliteMaintenance>;

export function sqliteMaintenanceStore(db: () => Db): MaintenanceStore {
  return bindGroup(db, sqliteMaintenance);
}
