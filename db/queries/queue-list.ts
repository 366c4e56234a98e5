/** The Queue page's lists: running jobs and queued jobs in claim order, with their counts. */
import type { Db } from "../client";
import { filterTerms, prepared, type Params } from "./prepared";
import { MATCHING_COUNT_CAP, PREVIEW_CHARS } from "./results-list";

/** A row of the Queue page. */
export interface QueueRow {
  id: number;
  name: string | null;
  task: string;
  queue: string;
  priority: number;
  state: "queued" | "running";
  groupName: string | null;
  runAt: number;
  createdAt: number;
  attempts: number;
  maxAttempts: number | null;
  lockedBy: string | null;
  startedAt: number | null;
  leaseExpiresAt: number | null;
  progress: number | null;
  progressMessage: string | null;
  cancelRequestedAt: number | null;
  lastError: string | null;
  argsPreview: string;
}

/** Keyset position in the queued list: claim order is (priority DESC, run_at, id). */
export interface QueueCursor {
  priority: number;
  runAt: number;
  id: number;
}

/** A Queue row's columns (aliases quoted: PostgreSQL folds unquoted ones to lower case). */
export const QUEUE_COLUMNS = `id, name, task, queue, priority, state, group_name AS "groupName", run_at AS "runAt",
  created_at AS "createdAt", attempts, max_attempts AS "maxAttempts", locked_by AS "lockedBy",
  started_at AS "startedAt", lease_expires_at AS "leaseExpiresAt", progress, progress_message AS "progressMessage",
  cancel_requested_at AS "cancelRequestedAt", substr(last_error, 1, ${PREVIEW_CHARS}) AS "lastError",
  substr(args, 1, ${PREVIEW_CHARS}) AS "argsPreview"`;

/** Filters of the Queue page. */
export interface QueueFilter {
  queue?: string | undefined;
  task?: string | undefined;
}

export function queueFilterSql(f: QueueFilter): { where: string[]; params: Params } {
  return filterTerms([
    ["queue = @queue", "queue", f.queue],
    ["task = @task", "task", f.task],
  ]);
}

/** The statement of the running list (see listRunningJobs). */
export function runningJobsSql(
  filter: QueueFilter,
  limit: number,
): { sql: string; params: Params } {
  const { where, params } = queueFilterSql(filter);
  return {
    sql: `SELECT ${QUEUE_COLUMNS} FROM jobs WHERE ${["state = 'running'", ...where].join(" AND ")}
     ORDER BY started_at, id LIMIT @limit`,
    params: { ...params, limit },
  };
}

/** Running jobs, longest-running first (a short list: at most the workers' total concurrency). */
export function listRunningJobs(db: Db, filter: QueueFilter = {}, limit = 500): QueueRow[] {
  const q = runningJobsSql(filter, limit);
  return prepared(db, q.sql).all(q.params) as QueueRow[];
}

/** A page request on the queued list. */
export type QueuedPageParams = QueueFilter & {
  cursor?: QueueCursor | null | undefined;
  before?: QueueCursor | null | undefined;
  limit: number;
};

/** A page of the queued list. */
export interface QueuedPage {
  rows: QueueRow[];
  next: QueueCursor | null;
  prev: QueueCursor | null;
}

/** The statement of a queued list page (see listQueuedJobs): `limit + 1` rows from the cursor. */
export function queuedPageSql(filter: QueuedPageParams): {
  sql: string;
  params: Params;
  limit: number;
  isBack: boolean;
  cursor: QueueCursor | null;
} {
  const limit = Math.max(1, Math.min(200, Math.floor(filter.limit)));
  const isBack = Boolean(filter.before);
  const cursor = filter.before ?? filter.cursor ?? null;
  const { where, params } = queueFilterSql(filter);
  const terms = ["state = 'queued'", ...where];
  if (cursor) {
    terms.push(
      isBack
        ? `(priority > @cp OR (priority = @cp AND (run_at < @cr OR (run_at = @cr AND id < @cid))))`
        : `(priority < @cp OR (priority = @cp AND (run_at > @cr OR (run_at = @cr AND id > @cid))))`,
    );
    Object.assign(params, { cp: cursor.priority, cr: cursor.runAt, cid: cursor.id });
  }
  const order = isBack ? "priority ASC, run_at DESC, id DESC" : "priority DESC, run_at, id";
  return {
    sql: `SELECT ${QUEUE_COLUMNS} FROM jobs WHERE ${terms.join(" AND ")} ORDER BY ${order} LIMIT @limit`,
    params: { ...params, limit: limit + 1 },
    limit,
    isBack,
    cursor,
  };
}

/**
 * The page the rows of queuedPageSql make, or null when a walk backwards found nothing before its
 * rows: they are then the first page, to be listed afresh.
 */
export function queuedPage(
  q: { limit: number; isBack: boolean; cursor: QueueCursor | null },
  rows: QueueRow[],
): QueuedPage | null {
  const { limit, isBack, cursor } = q;
  const more = rows.length > limit;
  if (isBack && !more) return null;
  const page = rows.slice(0, limit);
  if (isBack) page.reverse();
  const at = (r: QueueRow | undefined) =>
    r ? { priority: r.priority, runAt: r.runAt, id: r.id } : null;
  return {
    rows: page,
    next: isBack || more ? at(page.at(-1)) : null,
    prev: isBack ? (more ? at(page[0]) : null) : cursor ? at(page[0]) : null,
  };
}

/**
 * Queued jobs in the order workers will claim them (jobs_claim_idx), keyset-paginated both ways:
 * `cursor` gives the page after a job, `before` the page before one (the index walked backwards,
 * then reversed).
 */
export function listQueuedJobs(db: Db, filter: QueuedPageParams): QueuedPage {
  const q = queuedPageSql(filter);
  const rows = prepared(db, q.sql).all(q.params) as QueueRow[];
  return queuedPage(q, rows) ?? listQueuedJobs(db, { ...filter, before: null, cursor: null });
}

/** Counts queued jobs matching a filter, up to `cap + 1` (so the UI can say "more than cap"). */
export function countQueuedJobs(db: Db, filter: QueueFilter, cap = MATCHING_COUNT_CAP): number {
  const q = countQueuedSql(filter, cap);
  return prepared(db, q.sql).pluck().get(q.params) as number;
}

/** The statement of countQueuedJobs (one column: the count). */
export function countQueuedSql(filter: QueueFilter, cap: number): { sql: string; params: Params } {
  const { where, params } = queueFilterSql(filter);
  const terms = ["state = 'queued'", ...where];
  return {
    sql: `SELECT COUNT(*) AS n FROM (SELECT 1 FROM jobs WHERE ${terms.join(" AND ")} LIMIT @cap) AS m`,
    params: { ...params, cap: cap + 1 },
  };
}
