/**
 * The worker's chores besides claiming: its own row (register, heartbeat, stop), lease rescue,
 * retention, the task catalog and the scheduler's firing.
 */
import { getDb, type Db } from "../client";
import type { FireOptions, FireReport } from "../queries/schedule-fire";
import * as scheduleFire from "../queries/schedule-fire";
import type { TaskInfo } from "../queries/tasks";
import * as tasks from "../queries/tasks";
import type { RescueResult, Retention } from "../queries/upkeep";
import * as upkeep from "../queries/upkeep";
import { getPgPool, isPostgresUrl } from "../pg/client";
import { pgUpkeepStore } from "../pg/store/upkeep";
import { bindQueries } from "./bind";

export type { Retention, RescueResult } from "../queries/upkeep";
/** Retention from JOBDECK_SAVE_LIMIT, JOBDECK_SAVE_DAYS, JOBDECK_FAILURE_DAYS (a pure helper). */
export { retentionFromEnv } from "../queries/upkeep";

/** Worker upkeep and the scheduler. */
export interface UpkeepStore {
  /** Registers a worker process in `workers`. */
  registerWorker(w: {
    id: string;
    host: string;
    pid: number;
    concurrency: number;
    queues: string[] | null;
  }): Promise<void>;
  /** Records a worker's heartbeat. */
  heartbeatWorker(workerId: string, now?: number): Promise<void>;
  /** Marks a worker stopped (graceful shutdown). */
  markWorkerStopped(workerId: string, now?: number): Promise<void>;
  /** Rescues running jobs whose lease expired (see db/lifecycle.ts, loseAttempt). */
  rescueExpiredLeases(now?: number, limit?: number): Promise<RescueResult>;
  /** Prunes successes by count and age, and failures by age when configured. */
  pruneResults(
    retention: Retention,
    now?: number,
  ): Promise<{ successes: number; failures: number }>;
  /** Drops per-minute stats and stopped-worker rows older than `days` (default 7). */
  pruneHousekeeping(now?: number, days?: number): Promise<void>;
  /** Upserts the registry's tasks into the catalog (in one transaction). */
  syncTaskCatalog(tasks: TaskInfo[]): Promise<void>;
  /** Fires every enabled schedule due at `now`; one bad schedule never stops the rest. */
  fireDueSchedules(now?: number, options?: FireOptions): Promise<FireReport>;
  /** Deletes old `schedule_runs` rows of schedules that fire at most once per slot. */
  pruneScheduleRuns(now?: number, keepMs?: number): Promise<number>;
}

export function sqliteUpkeepStore(db: () => Db): UpkeepStore {
  return bindQueries(db, { ...upkeep, ...tasks, ...scheduleFire });
}

/**
 * The upkeep group alone, for DATABASE_URL (or `url`): for code that must stay small, such as the
 * jobdeck.prune task, which runs inside executor threads.
 */
export function getUpkeepStore(url = process.env.DATABASE_URL): UpkeepStore {
  if (isPostgresUrl(url)) return pgUpkeepStore(getPgPool(url.trim()));
  return sqliteUpkeepStore(() => getDb(url));
}
