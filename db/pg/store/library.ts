/**
 * The library's store group on PostgreSQL (LibraryStore, db/store/library.ts): enqueue, read a job
 * or group, and the schedules' plain changes. Each multi-statement change runs in one transaction.
 */
import type pg from "pg";
import type { LibraryStore } from "../../store/library";
import { withTransaction } from "../tx";
import { listSchedulesPg } from "../queries/schedules-read";
import { enqueueJobPg, enqueueJobsPg } from "../queries/enqueue";
import { readGroupPg, readJobPg } from "../queries/read";
import {
  createSchedulePg,
  deleteSchedulePg,
  runScheduleNowPg,
  setScheduleEnabledPg,
  updateSchedulePg,
} from "../queries/schedules";

export function pgLibraryStore(pool: pg.Pool): LibraryStore {
  return {
    enqueue: (task, args, options) => enqueueJobPg(pool, task, args, options),
    enqueueMany: (inputs) => enqueueJobsPg(pool, inputs),
    readJob: (id) => readJobPg(pool, id),
    readGroup: (group) => readGroupPg(pool, group),
    createSchedule: (input, now) => createSchedulePg(pool, input, now),
    updateSchedule: (id, patch, now) =>
      withTransaction(pool, (client) => updateSchedulePg(client, id, patch, now)),
    setScheduleEnabled: (id, isEnabled, now) =>
      withTransaction(pool, (client) => setScheduleEnabledPg(client, id, isEnabled, now)),
    runScheduleNow: (id, now) =>
      withTransaction(pool, (client) => runScheduleNowPg(client, id, now)),
    deleteSchedule: (id) => deleteSchedulePg(pool, id),
    listSchedules: (input) => listSchedulesPg(pool, input),
  };
}
