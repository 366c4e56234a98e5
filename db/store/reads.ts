/**
 * The dashboard's reads (also the CLI's listings and the JSON API): lists, counts, filters, one
 * job's page, statistics, schedules, tasks and the audit log. None of them writes.
 */
import type { Db } from "../client";
import * as audit from "../queries/audit";
import * as jobs from "../queries/jobs";
import * as retry from "../queries/retry";
import * as schedules from "../queries/schedules";
import * as schedulesStart from "../queries/schedules-start";
import * as stats from "../queries/stats";
import * as tasks from "../queries/tasks";
import type { AuditPage } from "../queries/audit";
import type { JobDetail } from "../queries/job-detail";
import type { FailureGroup, WorkerInfo } from "../queries/jobs";
import type { QueueCursor, QueueFilter, QueueRow } from "../queries/queue-list";
import type {
  ResultFilter,
  ResultListParams,
  ResultListRow,
  ResultPage,
} from "../queries/results-list";
import type { ScheduleView } from "../queries/schedules";
import type { SchedulePatch } from "../queries/schedules-start";
import type { QueueStats } from "../queries/stats";
import type { TaskInfo } from "../queries/tasks";
import type { SchedulePreview } from "../schedule-rules";
import type { ScheduleRow } from "../schema";
import { bindQueries } from "./bind";

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

/** Read-only queries of the dashboard, the API and the CLI's listings. */
export interface ReadStore {
  /** Lists successes or failures, newest first by default, keyset-paginated both ways: `cursor` gives the page after a row, `before` the page before one (walked in the opposite order, then reversed). */
  listResults(p: ResultListParams): Promise<ResultPage>;
  /** Counts results matching a filter, up to `cap + 1` (so the UI can say "more than cap"). */
  countMatchingResults(filter: ResultFilter, cap?: number): Promise<number>;
  /** Ids of results matching a filter, newest first, at most `cap`. */
  selectMatchingResultIds(filter: ResultFilter, cap?: number): Promise<number[]>;
  /** Distinct values for the filter menus (tasks from the catalog, queues and groups seen live or recently). */
  listFilterOptions(): Promise<{ tasks: string[]; queues: string[] }>;
  /** Failures grouped by fingerprint (their error's first line without its data), most unresolved first (at most `limit`, default 50). */
  listFailureGroups(limit?: number): Promise<FailureGroup[]>;
  /** The latest failures (for the Overview). */
  listLatestFailures(limit?: number): Promise<ResultListRow[]>;
  /** Queued jobs in the order workers will claim them (jobs_claim_idx), keyset-paginated both ways: `cursor` gives the page after a job, `before` the page before one (the index walked backwards, then reversed). */
  listQueuedJobs(
    filter: QueueFilter & {
      cursor?: QueueCursor | null | undefined;
      before?: QueueCursor | null | undefined;
      limit: number;
    },
  ): Promise<{ rows: QueueRow[]; next: QueueCursor | null; prev: QueueCursor | null }>;
  /** Counts queued jobs matching a filter, up to `cap + 1` (so the UI can say "more than cap"). */
  countQueuedJobs(filter: QueueFilter, cap?: number): Promise<number>;
  /** Running jobs, longest-running first (a short list: at most the workers' total concurrency). */
  listRunningJobs(filter?: QueueFilter, limit?: number): Promise<QueueRow[]>;
  /** Workers not stopped, or stopped within the last hour, newest first (at most 50). */
  listWorkers(now?: number): Promise<WorkerInfo[]>;
  /** One job by id, from the live queue or the results, with attempts and retry lineage; null if unknown. */
  getJobDetail(id: number): Promise<JobDetail | null>;
  /** Reads the counters: results from the trigger-maintained `counters`, the live queue by index. */
  getQueueStats(now?: number): Promise<QueueStats>;
  /** Successes and failures per minute from `since` (ms), oldest first, for the throughput chart. */
  getThroughput(since: number): Promise<{ minute: number; success: number; failure: number }[]>;
  /** Successes and failures stopped since `since` (ms), summed from the per-minute counters. */
  countOutcomesSince(since: number): Promise<{ success: number; failure: number }>;
  /** One schedule by id or name, or null. */
  getSchedule(idOrName: number | string): Promise<ScheduleView | null>;
  /** One schedule row by id; throws InputError (field "id") when there is none. */
  getScheduleRow(id: number): Promise<ScheduleRow>;
  /** Schedules by id with their last run, keyset-paginated: pass the last id seen as `afterId` (default limit 100). */
  listSchedules(input?: { afterId?: number; limit?: number }): Promise<ScheduleView[]>;
  /** What saving `patch` over schedule `id` at `now` would do, without saving: the rule in words and the next `k` runs (default 5), or the timing errors. */
  previewScheduleUpdate(
    id: number,
    patch: SchedulePatch,
    now?: number,
    k?: number,
  ): Promise<SchedulePreview>;
  /** Lists audit entries newest first, keyset-paginated by id (`before`: ids below this one). */
  listAudit(input: { before?: number; limit: number }): Promise<AuditPage>;
  /** Every catalogued task, by name. */
  listTasks(): Promise<TaskInfo[]>;
  /** Ids of not-yet-retried failures, optionally of one task, oldest first (for `retry-failed`). */
  listRetryableFailureIds(filter?: { task?: string }): Promise<number[]>;
}

export function sqliteReadStore(db: () => Db): ReadStore {
  return bindQueries(db, {
    ...audit,
    ...jobs,
    ...retry,
    ...schedules,
    ...schedulesStart,
    ...stats,
    ...tasks,
    getJobDetail: jobs.getJob,
  });
}
