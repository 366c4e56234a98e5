/**
 * The ReadStore (db/store/reads.ts) on PostgreSQL: the dashboard's, the API's and the CLI's reads.
 * None writes; each runs on the pool (no transaction: each list is one statement per index range,
 * and the few that take two read facts that may move between them on SQLite too).
 */
import type pg from "pg";
import type { ReadStore } from "../../store/reads";
import {
  countOutcomesSincePg,
  getQueueStatsPg,
  getThroughputPg,
  listAuditPg,
  listFailureGroupsPg,
  listFilterOptionsPg,
  listRetryableFailureIdsPg,
  listTasksPg,
  listWorkersPg,
} from "../queries/dashboard";
import { getJobDetailPg } from "../queries/job-detail";
import { countQueuedJobsPg, listQueuedJobsPg, listRunningJobsPg } from "../queries/queue-list";
import {
  countMatchingResultsPg,
  listLatestFailuresPg,
  listResultsPg,
  selectMatchingResultIdsPg,
} from "../queries/results-list";
import {
  getSchedulePg,
  getScheduleRowPg,
  listSchedulesPg,
  previewScheduleUpdatePg,
} from "../queries/schedules-read";

/** The read-only queries of the dashboard, the API and the CLI on `pool`. */
export function pgReadStore(pool: pg.Pool): ReadStore {
  return {
    listResults: (p) => listResultsPg(pool, p),
    countMatchingResults: (filter, cap) => countMatchingResultsPg(pool, filter, cap),
    selectMatchingResultIds: (filter, cap) => selectMatchingResultIdsPg(pool, filter, cap),
    listFilterOptions: () => listFilterOptionsPg(pool),
    listFailureGroups: (limit) => listFailureGroupsPg(pool, limit),
    listLatestFailures: (limit) => listLatestFailuresPg(pool, limit),
    listQueuedJobs: (filter) => listQueuedJobsPg(pool, filter),
    countQueuedJobs: (filter, cap) => countQueuedJobsPg(pool, filter, cap),
    listRunningJobs: (filter, limit) => listRunningJobsPg(pool, filter, limit),
    listWorkers: (now) => listWorkersPg(pool, now),
    getJobDetail: (id) => getJobDetailPg(pool, id),
    getQueueStats: (now) => getQueueStatsPg(pool, now),
    getThroughput: (since) => getThroughputPg(pool, since),
    countOutcomesSince: (since) => countOutcomesSincePg(pool, since),
    getSchedule: (idOrName) => getSchedulePg(pool, idOrName),
    getScheduleRow: (id) => getScheduleRowPg(pool, id),
    listSchedules: (input) => listSchedulesPg(pool, input),
    previewScheduleUpdate: (id, patch, now, k) => previewScheduleUpdatePg(pool, id, patch, now, k),
    listAudit: (input) => listAuditPg(pool, input),
    listTasks: () => listTasksPg(pool),
    listRetryableFailureIds: (filter) => listRetryableFailureIdsPg(pool, filter),
  };
}
