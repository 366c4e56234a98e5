/**
 * The library's store group: what `import { enqueue, getJob, … } from "@/db"` and the CLI's plain
 * commands call. Enqueueing validates and writes in one transaction; reads are one job or group.
 */
import { enqueueJob, enqueueJobs } from "../queries/enqueue";
import { readGroup, readJob } from "../queries/read";
import {
  createSchedule,
  deleteSchedule,
  listSchedules,
  runScheduleNow,
  setScheduleEnabled,
  updateSchedule,
} from "../queries/schedules";
import type { Db } from "../client";
import { bindGroup, type BoundGroup } from "./bind";

const sqliteLibrary = {
  enqueue: enqueueJob,
  enqueueMany: enqueueJobs,
  readJob,
  readGroup,
  createSchedule,
  updateSchedule,
  setScheduleEnabled,
  runScheduleNow,
  deleteSchedule,
  listSchedules,
};

/** Enqueue, read jobs, and the schedules' plain (unaudited) changes. */
export type LibraryStore = BoundGroup<typeof sqliteLibrary>;

export function sqliteLibraryStore(db: () => Db): LibraryStore {
  return bindGroup(db, sqliteLibrary);
}
