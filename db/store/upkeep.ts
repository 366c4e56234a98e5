/**
 * The worker's chores besides claiming: its own row (register, heartbeat, stop), lease rescue,
 * retention, the task catalog and the scheduler's firing.
 */
import type { Db } from "../client";
import { fireDueSchedules, pruneScheduleRuns } from "../queries/schedule-fire";
import { syncTaskCatalog } from "../queries/tasks";
import {
  heartbeatWorker,
  markWorkerStopped,
  pruneHousekeeping,
  pruneResults,
  registerWorker,
  rescueExpiredLeases,
} from "../queries/upkeep";
import { bindGroup, type BoundGroup } from "./bind";

export type { Retention, RescueResult } from "../queries/upkeep";
/** Retention from JOBDECK_SAVE_LIMIT, JOBDECK_SAVE_DAYS, JOBDECK_FAILURE_DAYS (a pure helper). */
export { retentionFromEnv } from "../queries/upkeep";

const sqliteUpkeep = {
  registerWorker,
  heartbeatWorker,
  markWorkerStopped,
  rescueExpiredLeases,
  pruneResults,
  pruneHousekeeping,
  syncTaskCatalog,
  fireDueSchedules,
  pruneScheduleRuns,
};

/** Worker upkeep and the scheduler. */
export type UpkeepStore = BoundGroup<typeof sqliteUpkeep>;

export function sqliteUpkeepStore(db: () => Db): UpkeepStore {
  return bindGroup(db, sqliteUpkeep);
}
