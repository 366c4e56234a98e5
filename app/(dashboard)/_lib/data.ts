/**
 * Server-side loaders shared by the pages (first render) and the JSON routes (live refresh), so
 * both answer with exactly the same data. Server-only: they call the store's reads.
 */
import {
  maskSecrets,
  maskSecretsInJson,
  maskSecretsInPreview,
  maskSecretText,
  maskSecretTextOrNull,
} from "@/app/_lib/mask-secrets";
import type { JobInfo } from "@/db/queries/read";
import type { ResultState, UserRole } from "@/db/schema";
import { getStore } from "@/db/store";
import {
  MATCHING_COUNT_CAP,
  type FailureGroup,
  type JobDetail,
  type QueueRow,
  type QueueStats,
  type ResultFilter,
  type ResultListRow,
  type WorkerInfo,
} from "@/db/store/reads";
import {
  compactSearch,
  decodeQueueCursor,
  encodeCursor,
  encodeQueueCursor,
  QUEUE_DEFAULTS,
  RESULTS_DEFAULTS,
  toResultFilter,
  toResultListParams,
  type QueueSearch,
  type ResultsSearch,
} from "./search-params";

export type { FailureGroup, QueueRow, ResultListRow, WorkerInfo, QueueStats };

/*
 * Masking (docs/SECURITY.md): every row leaves the server with secrets masked in its arguments,
 * result, error and progress message, for every role; the JSON routes return these same loaders.
 */

/** A results-list row with its argument and result/error previews masked. */
function maskResultRow(r: ResultListRow): ResultListRow {
  return {
    ...r,
    argsPreview: maskSecretsInPreview(r.argsPreview) ?? "",
    preview: maskSecretsInPreview(r.preview),
  };
}

/** A Queue row with its argument preview, last error and progress message masked. */
function maskQueueRow(r: QueueRow): QueueRow {
  return {
    ...r,
    argsPreview: maskSecretsInPreview(r.argsPreview) ?? "",
    lastError: maskSecretsInPreview(r.lastError),
    progressMessage: maskSecretTextOrNull(r.progressMessage),
  };
}

/** A job for its page: arguments, result, errors, stacks and progress message masked. */
export function maskJobDetail(job: JobDetail): JobDetail {
  return {
    ...job,
    args: maskSecretsInJson(job.args) ?? "null",
    result: maskSecretsInJson(job.result),
    error: maskSecretTextOrNull(job.error),
    errorStack: maskSecretTextOrNull(job.errorStack),
    progressMessage: maskSecretTextOrNull(job.progressMessage),
    attemptRows: job.attemptRows.map((a) => ({
      ...a,
      error: maskSecretTextOrNull(a.error),
      errorStack: maskSecretTextOrNull(a.errorStack),
    })),
  };
}

/** A job as the API returns it, masked like the pages (the admin-only `reveal` skips this). */
export function maskJobInfo(job: JobInfo): JobInfo {
  return {
    ...job,
    args: maskSecrets(job.args),
    result: maskSecrets(job.result),
    error: maskSecretTextOrNull(job.error),
    errorStack: maskSecretTextOrNull(job.errorStack),
  };
}

/** One page of Successes or Failures, with the total from the counters. */
export interface ResultsPayload {
  rows: ResultListRow[];
  /** `after` value of the next page, or null. */
  next: string | null;
  /** `before` value of the previous page, or null on the first page. */
  prev: string | null;
  total: number;
  /**
   * Results matching the filter (null when nothing is filtered: then `total`), exact up to
   * `matchingCap`; `matchingCap + 1` means "more than matchingCap".
   */
  matching: number | null;
  matchingCap: number;
}

/** The canonical query string of a results list state (query key and JSON route URL). */
export function resultsSearchString(s: ResultsSearch): string {
  return compactSearch(
    {
      task: s.task,
      group: s.group,
      queue: s.queue,
      q: s.q,
      error: s.error,
      retried: s.retried,
      range: s.range,
      sort: s.sort,
      dir: s.dir,
      after: s.after,
      before: s.before,
      size: s.size,
    },
    RESULTS_DEFAULTS,
  );
}

/**
 * How many results match a filter: the rows shown when the first page holds them all (no query,
 * which spares a second scan to a text search that matched little), else counted with LIMIT
 * cap + 1: exact up to the cap, "more than" past it.
 */
async function countMatching(
  filter: ResultFilter,
  page: { rows: unknown[]; next: unknown },
  isFirstPage: boolean,
): Promise<number> {
  if (isFirstPage && page.next === null) return page.rows.length;
  return getStore().reads.countMatchingResults(filter, MATCHING_COUNT_CAP);
}

/** Loads one page of a results list. */
export async function loadResults(
  state: ResultState,
  s: ResultsSearch,
  role: UserRole,
): Promise<ResultsPayload> {
  const reads = getStore().reads;
  const now = Date.now();
  const page = await reads.listResults(toResultListParams(state, s, now, role));
  const stats = await reads.getQueueStats();
  const filter = toResultFilter(state, s, now, role);
  const isFiltered = Object.entries(filter).some(([k, v]) => k !== "state" && v !== undefined);
  return {
    rows: page.rows.map(maskResultRow),
    next: page.next ? encodeCursor(page.next) : null,
    prev: page.prev ? encodeCursor(page.prev) : null,
    total: state === "success" ? stats.success : stats.failure,
    matching: isFiltered ? await countMatching(filter, page, !s.after && !s.before) : null,
    matchingCap: MATCHING_COUNT_CAP,
  };
}

/**
 * Loads failures grouped by error message, each message masked. A group whose message held a
 * credential links to a filter on the masked text, which matches nothing: the secret never leaves.
 */
export async function loadFailureGroups(): Promise<FailureGroup[]> {
  return (await getStore().reads.listFailureGroups()).map((g) => ({
    ...g,
    message: maskSecretText(g.message),
    example: maskSecretText(g.example),
  }));
}

/** The Queue page's data: running jobs, one page of queued jobs, and counts. */
export interface QueuePayload {
  running: QueueRow[];
  queued: QueueRow[];
  next: string | null;
  /** `before` value of the previous page of queued jobs, or null on the first page. */
  prev: string | null;
  /**
   * Queued jobs matching the filter (null when nothing is filtered), exact up to `matchingCap`;
   * `matchingCap + 1` means "more than matchingCap".
   */
  matching: number | null;
  matchingCap: number;
  counts: { queued: number; scheduled: number; running: number };
  now: number;
}

/** The canonical query string of the Queue page state. */
export function queueSearchString(s: QueueSearch): string {
  return compactSearch(
    { task: s.task, queue: s.queue, after: s.after, before: s.before, size: s.size },
    QUEUE_DEFAULTS,
  );
}

/** Loads the Queue page. */
export async function loadQueue(s: QueueSearch): Promise<QueuePayload> {
  const reads = getStore().reads;
  const filter = { task: s.task, queue: s.queue };
  const page = await reads.listQueuedJobs({
    ...filter,
    cursor: decodeQueueCursor(s.after),
    before: decodeQueueCursor(s.before),
    limit: s.size,
  });
  const stats = await reads.getQueueStats();
  return {
    running: (await reads.listRunningJobs(filter)).map(maskQueueRow),
    queued: page.rows.map(maskQueueRow),
    next: page.next ? encodeQueueCursor(page.next) : null,
    prev: page.prev ? encodeQueueCursor(page.prev) : null,
    matching: s.task || s.queue ? await reads.countQueuedJobs(filter, MATCHING_COUNT_CAP) : null,
    matchingCap: MATCHING_COUNT_CAP,
    counts: { queued: stats.queued, scheduled: stats.scheduled, running: stats.running },
    now: Date.now(),
  };
}

/** Everything on the Overview. */
export interface OverviewPayload {
  stats: QueueStats;
  lastHour: { success: number; failure: number };
  lastDay: { success: number; failure: number };
  /** One point per minute of the last hour, oldest first (missing minutes are zeros). */
  throughput: { minute: number; success: number; failure: number }[];
  workers: WorkerInfo[];
  latestFailures: ResultListRow[];
  now: number;
}

/** Loads the Overview. */
export async function loadOverview(now = Date.now()): Promise<OverviewPayload> {
  const reads = getStore().reads;
  const hourAgo = now - 3_600_000;
  const firstMinute = Math.floor(hourAgo / 60_000) * 60_000 + 60_000;
  const byMinute = new Map((await reads.getThroughput(firstMinute)).map((p) => [p.minute, p]));
  const throughput: OverviewPayload["throughput"] = [];
  for (let minute = firstMinute; minute <= now; minute += 60_000) {
    const p = byMinute.get(minute);
    throughput.push({ minute, success: p?.success ?? 0, failure: p?.failure ?? 0 });
  }
  return {
    stats: await reads.getQueueStats(now),
    lastHour: await reads.countOutcomesSince(hourAgo),
    lastDay: await reads.countOutcomesSince(now - 86_400_000),
    throughput,
    workers: await reads.listWorkers(now),
    latestFailures: (await reads.listLatestFailures(6)).map(maskResultRow),
    now,
  };
}
