/**
 * The library's store group: what `import { enqueue, getJob, … } from "@/db"` and the CLI's plain
 * commands call. Enqueueing validates and writes in one transaction; reads are one job or group.
 */
import type { Db } from "../client";
import * as enqueueQueries from "../queries/enqueue";
import * as read from "../queries/read";
import * as schedules from "../queries/schedules";
import type { EnqueueInput, EnqueueOptions } from "../queries/enqueue";
import type { JobInfo } from "../queries/read";
import type { ScheduleView } from "../queries/schedules";
import type { SchedulePatch } from "../queries/schedules-start";
import type { ScheduleInput } from "../schedule-rules";
import type { ScheduleRow } from "../schema";
import { bindQueries } from "./bind";

/** Enqueue, read jobs, and the schedules' plain (unaudited) changes. */
export interface LibraryStore {
  /** Enqueues one job of a registered task; returns its id (or the live job's with the same uniqueKey). */
  enqueue(task: string, args?: unknown, options?: EnqueueOptions): Promise<number>;
  /** Enqueues many jobs in one transaction; all or none. */
  enqueueMany(inputs: EnqueueInput[]): Promise<number[]>;
  /** A job by id, wherever it is (queue or results); null when unknown or deleted. */
  readJob(id: number): Promise<JobInfo | null>;
  /** Every job of a group: finished ones first (by stop time), then those still queued or running. */
  readGroup(group: string): Promise<JobInfo[]>;
  /** Creates a schedule; its first run is `nextRunAt` (default now; for cron the first time at or after it). */
  createSchedule(input: ScheduleInput, now?: number): Promise<ScheduleRow>;
  /** Updates some fields of a schedule (validating the result); returns the saved row. */
  updateSchedule(id: number, patch: SchedulePatch, now?: number): Promise<ScheduleRow>;
  /** Enables or disables a schedule. */
  setScheduleEnabled(id: number, isEnabled: boolean, now?: number): Promise<ScheduleRow>;
  /** Enqueues one job of the schedule now, leaving next run and repeats alone; returns the job id. */
  runScheduleNow(id: number, now?: number): Promise<number>;
  /** Deletes a schedule and its run records (jobs it created stay); false when there was none. */
  deleteSchedule(id: number): Promise<boolean>;
  /** Schedules by id with their last run, keyset-paginated: pass the last id seen as `afterId` (default limit 100). */
  listSchedules(input?: { afterId?: number; limit?: number }): Promise<ScheduleView[]>;
}

export function sqliteLibraryStore(db: () => Db): LibraryStore {
  return bindQueries(db, {
    ...read,
    ...schedules,
    enqueue: enqueueQueries.enqueueJob,
    enqueueMany: enqueueQueries.enqueueJobs,
  });
}
