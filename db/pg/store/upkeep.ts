/**
 * The upkeep group on PostgreSQL (UpkeepStore, db/store/upkeep.ts): the worker's own row, lease
 * rescue, retention (and the counters' fold), the task catalog and the scheduler. Times default
 * to the database's clock.
 */
import type pg from "pg";
import type { UpkeepStore } from "../../store/upkeep";
import { fireDueSchedulesPg, pruneScheduleRunsPg } from "../queries/schedule-fire";
import {
  heartbeatWorkerPg,
  markWorkerStoppedPg,
  pruneHousekeepingPg,
  pruneResultsPg,
  registerWorkerPg,
  rescueExpiredLeasesPg,
  syncTaskCatalogPg,
} from "../queries/upkeep";

export function pgUpkeepStore(pool: pg.Pool): UpkeepStore {
  return {
    registerWorker: (w) => registerWorkerPg(pool, w),
    heartbeatWorker: (workerId, now) => heartbeatWorkerPg(pool, workerId, now),
    markWorkerStopped: (workerId, now) => markWorkerStoppedPg(pool, workerId, now),
    rescueExpiredLeases: (now, limit) => rescueExpiredLeasesPg(pool, now, limit),
    pruneResults: (retention, now) => pruneResultsPg(pool, retention, now),
    pruneHousekeeping: (now, days) => pruneHousekeepingPg(pool, now, days),
    syncTaskCatalog: (tasks) => syncTaskCatalogPg(pool, tasks),
    fireDueSchedules: (now, options) => fireDueSchedulesPg(pool, now, options),
    pruneScheduleRuns: (now, keepMs) => pruneScheduleRunsPg(pool, now, keepMs),
  };
}
