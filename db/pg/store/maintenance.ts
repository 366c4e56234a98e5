/**
 * The maintenance group on PostgreSQL (db/store/maintenance.ts's MaintenanceStore): demo data,
 * bulk seeding and the benchmarks' read-back, with the SQL in db/pg/queries/maintenance.ts.
 *
 * The demo's jobs and schedules go through the library store's enqueueMany and createSchedule
 * when one is given (the PostgreSQL LibraryStore, once it exists: task allowlist, argument
 * schemas, NOTIFY). Without one they are written by stand-ins built on the same shared
 * validation (toJobValues, parseSchedule, newScheduleValues); see their notes.
 */
import type pg from "pg";
import { demoJobs } from "../../queries/demo";
import { demoSchedules } from "../../queries/schedule-seed";
import type { LibraryStore } from "../../store/library";
import type { MaintenanceStore } from "../../store/maintenance";
import { dbNow } from "../client";
import * as q from "../queries/maintenance";

/** What the demo seeding needs of the library store. */
export type DemoLibrary = Pick<LibraryStore, "enqueueMany" | "createSchedule">;

export function pgMaintenanceStore(pool: pg.Pool, library?: DemoLibrary): MaintenanceStore {
  return {
    isFreshDatabase: () => q.isFreshDatabasePg(pool),
    async seedDemoJobs() {
      const jobs = demoJobs();
      const ids = library
        ? await library.enqueueMany(jobs)
        : await q.insertValidatedJobsPg(pool, jobs);
      await q.markDemoSeededPg(pool);
      return ids;
    },
    async seedDemoSchedules(now) {
      const at = now ?? (await dbNow(pool));
      let created = 0;
      for (const input of demoSchedules(at)) {
        const withZone = { ...input, timezone: "UTC" };
        if (!library) {
          if (await q.insertScheduleIfMissingPg(pool, withZone, at)) created += 1;
          continue;
        }
        if (await q.scheduleNameExistsPg(pool, input.name)) continue;
        try {
          await library.createSchedule(withZone, at);
          created += 1;
        } catch (error) {
          // Another process seeding at the same moment created it first.
          if (!(await q.scheduleNameExistsPg(pool, input.name))) throw error;
        }
      }
      return created;
    },
    seedRows: (counts, now) => q.seedRowsPg(pool, counts, now),
    measureThroughput: () => q.measureThroughputPg(pool),
    measurePickupDelays: (ids) => q.measurePickupDelaysPg(pool, ids),
  };
}
