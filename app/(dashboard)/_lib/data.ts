/**
 * Server-side loaders shared by the pages (first render) and the JSON routes (live refresh), so
 * both answer with exactly the same data. Server-only: they call db/queries.
 */
import { maskSecretsInPreview } from "@/app/_lib/mask-secrets";
import type { Db } from "@/db/client";
import {
  listFailureGroups,
  listLatestFailures,
  listQueuedJobs,
  listResults,
  listRunningJobs,
  listWorkers,
  type FailureGroup,
  type QueueRow,
  type ResultListRow,
  type WorkerInfo,
} from "@/db/queries/jobs";
import {
  countOutcomesSince,
  getQueueStats,
  getThroughput,
  type QueueStats,
} from "@/db/queries/stats";
import {
  compactSearch,
  decodeQueueCursor,
  encodeCursor,
  encodeQueueCursor,
  QUEUE_DEFAULTS,
  RESULTS_DEFAULTS,
  toResultListParams,
  type QueueSearch,
  type ResultsSearch,
} from "./search-params";

export type { FailureGroup, QueueRow, ResultListRow, WorkerInfo, QueueStats };

/** Rows leave the server with secret-looking argument values masked (docs/SECURITY.md). */
function masked<T extends { argsPreview: string }>(rows: T[]): T[] {
  return rows.map((r) => ({ ...r, argsPreview: maskSecretsInPreview(r.argsPreview) ?? "" }));
}

/** One page of Successes or Failures, with the total from the counters. */
export interface ResultsPayload {
  rows: ResultListRow[];
  /** `after` value of the next page, or null. */
  next: string | null;
  total: number;
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
      size: s.size,
    },
    RESULTS_DEFAULTS,
  );
}

/** Loads one page of a results list. */
export function loadResults(
  db: Db,
  state: "success" | "failure",
  s: ResultsSearch,
): ResultsPayload {
  const page = listResults(db, toResultListParams(state, s));
  const stats = getQueueStats(db);
  return {
    rows: masked(page.rows),
    next: page.next ? encodeCursor(page.next) : null,
    total: state === "success" ? stats.success : stats.failure,
  };
}

/** Loads failures grouped by error message. */
export function loadFailureGroups(db: Db): FailureGroup[] {
  return listFailureGroups(db);
}

/** The Queue page's data: running jobs, one page of queued jobs, and counts. */
export interface QueuePayload {
  running: QueueRow[];
  queued: QueueRow[];
  next: string | null;
  counts: { queued: number; scheduled: number; running: number };
  now: number;
}

/** The canonical query string of the Queue page state. */
export function queueSearchString(s: QueueSearch): string {
  return compactSearch(
    { task: s.task, queue: s.queue, after: s.after, size: s.size },
    QUEUE_DEFAULTS,
  );
}

/** Loads the Queue page. */
export function loadQueue(db: Db, s: QueueSearch): QueuePayload {
  const filter = { task: s.task, queue: s.queue };
  const page = listQueuedJobs(db, { ...filter, cursor: decodeQueueCursor(s.after), limit: s.size });
  const stats = getQueueStats(db);
  return {
    running: masked(listRunningJobs(db, filter)),
    queued: masked(page.rows),
    next: page.next ? encodeQueueCursor(page.next) : null,
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
export function loadOverview(db: Db, now = Date.now()): OverviewPayload {
  const hourAgo = now - 3_600_000;
  const firstMinute = Math.floor(hourAgo / 60_000) * 60_000 + 60_000;
  const byMinute = new Map(getThroughput(db, firstMinute).map((p) => [p.minute, p]));
  const throughput: OverviewPayload["throughput"] = [];
  for (let minute = firstMinute; minute <= now; minute += 60_000) {
    const p = byMinute.get(minute);
    throughput.push({ minute, success: p?.success ?? 0, failure: p?.failure ?? 0 });
  }
  return {
    stats: getQueueStats(db, now),
    lastHour: countOutcomesSince(db, hourAgo),
    lastDay: countOutcomesSince(db, now - 86_400_000),
    throughput,
    workers: listWorkers(db, now),
    latestFailures: masked(listLatestFailures(db, 6)),
    now,
  };
}
