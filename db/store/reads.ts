/**
 * The dashboard's reads (also the CLI's listings and the JSON API): lists, counts, filters, one
 * job's page, statistics, schedules, tasks and the audit log. None of them writes.
 */
import type { Db } from "../client";
import { listAudit } from "../queries/audit";
import { getJob as getJobDetail } from "../queries/job-detail";
import {
  listFailureGroups,
  listFilterOptions,
  listLatestFailures,
  listWorkers,
} from "../queries/jobs";
import { countQueuedJobs, listQueuedJobs, listRunningJobs } from "../queries/queue-list";
import {
  countMatchingResults,
  listResults,
  selectMatchingResultIds,
} from "../queries/results-list";
import { listRetryableFailureIds } from "../queries/retry";
import { getSchedule, listSchedules } from "../queries/schedules";
import { getScheduleRow, previewScheduleUpdate } from "../queries/schedules-start";
import { countOutcomesSince, getQueueStats, getThroughput } from "../queries/stats";
import { listTasks } from "../queries/tasks";
import { bindGroup, type BoundGroup } from "./bind";

export { MATCHING_COUNT_CAP, MAX_BULK } from "../queries/results-list";
export type {
  Cursor,
  FailureGroup,
  JobDetail,
  LineageLink,
  QueueCursor,
  QueueRow,
  ResultFilter,
  ResultListParams,
  ResultListRow,
  ResultSort,
  WorkerInfo,
} from "../queries/jobs";
export type { AuditPage } from "../queries/audit";
export type { QueueStats } from "../queries/stats";
export type { ScheduleView } from "../queries/schedules";

const sqliteReads = {
  listResults,
  countMatchingResults,
  selectMatchingResultIds,
  listFilterOptions,
  listFailureGroups,
  listLatestFailures,
  listQueuedJobs,
  countQueuedJobs,
  listRunningJobs,
  listWorkers,
  getJobDetail,
  getQueueStats,
  getThroughput,
  countOutcomesSince,
  getSchedule,
  getScheduleRow,
  listSchedules,
  previewScheduleUpdate,
  listAudit,
  listTasks,
  listRetryableFailureIds,
};

/** Read-only queries of the dashboard, the API and the CLI's listings. */
export type ReadStore = BoundGroup<typeof sqliteReads>;

export function sqliteReadStore(db: () => Db): ReadStore {
  return bindGroup(db, sqliteReads);
}
