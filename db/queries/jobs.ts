/**
 * Dashboard reads and admin writes: the Successes/Failures lists (keyset-paginated, filtered,
 * searched), the live queue, one job with its attempts and retry lineage, failures grouped by
 * error, and "all matching" selections. Cancelling is db/lifecycle.ts's.
 *
 * Every list walks an index in its sort order and stops at `limit` rows, so deep pages and big
 * tables stay cheap. Text search (`q`) is the one filter no index serves: it is applied while
 * walking the sort index, so it costs as many rows as it has to look at to fill a page.
 */
import type Database from "better-sqlite3";
import type { Db } from "../client";
import type { AttemptRow, JobStatus, ResultState } from "../schema";

/** Sort keys of the results lists; each one is served by `results_state_<key>_idx`. */
export const RESULT_SORTS = ["stopped", "started", "duration", "attempts"] as const;
/** One of RESULT_SORTS. */
export type ResultSort = (typeof RESULT_SORTS)[number];
/** Sort direction. */
export type SortDir = "asc" | "desc";

const SORT_COLUMN: Record<ResultSort, string> = {
  stopped: "stopped_at",
  started: "started_at",
  duration: "duration_ms",
  attempts: "attempts",
};
/** Sort columns that may be NULL (walked in two segments, see listResults). */
const IS_NULLABLE: Record<ResultSort, boolean> = {
  stopped: false,
  started: true,
  duration: true,
  attempts: false,
};

/** What a results list (or a bulk action on it) is restricted to. Empty fields mean "any". */
export interface ResultFilter {
  state: ResultState;
  task?: string | undefined;
  group?: string | undefined;
  queue?: string | undefined;
  /** Stopped at or after (ms). */
  since?: number | undefined;
  /** Stopped before (ms). */
  until?: number | undefined;
  /**
   * Free text in the name, task, arguments, result or error (see searchesContent); a number (`42` or `#42`) also
   * matches the job with that id, which listResults shows first.
   */
  q?: string | undefined;
  /**
   * Whether free text also looks inside arguments, results and errors (default false: name and
   * task only). Only for admins: a match, or the count of matches, would tell a viewer what a
   * masked secret holds, one guessed character at a time.
   */
  searchesContent?: boolean | undefined;
  /** Failures of this group: an error fingerprint (`failure_groups.message`, `results.error_group`). */
  error?: string | undefined;
  /** Failures already retried ("yes") or not yet ("no"). */
  retried?: "yes" | "no" | undefined;
}

/** Keyset position: the sort value (null sorts as smallest, like SQLite) and id of the last row. */
export interface Cursor {
  v: number | null;
  id: number;
}

/** A page request on a results list. */
export interface ResultListParams extends ResultFilter {
  sort: ResultSort;
  dir: SortDir;
  /** The page after this row (the next page). */
  cursor?: Cursor | null | undefined;
  /** The page before this row (the previous page); wins over `cursor`. */
  before?: Cursor | null | undefined;
  /** Rows per page (1..200). */
  limit: number;
}

/** One row of the Successes/Failures table: previews are cut to a few hundred characters. */
export interface ResultListRow {
  id: number;
  name: string | null;
  task: string;
  queue: string;
  groupName: string | null;
  startedAt: number | null;
  stoppedAt: number;
  durationMs: number | null;
  attempts: number;
  workerId: string | null;
  retryOf: number | null;
  retriedAs: number | null;
  argsPreview: string;
  /** The result (successes) or the error (failures), cut to PREVIEW_CHARS. */
  preview: string | null;
}

/**
 * A page of a results list: `next` is the cursor (`after`) of the following page, null on the
 * last; `prev` the cursor (`before`) of the preceding one, null on the first.
 */
export interface ResultPage {
  rows: ResultListRow[];
  next: Cursor | null;
  prev: Cursor | null;
}

/** Characters of arguments/result/error carried by a list row. */
export const PREVIEW_CHARS = 300;

type Params = Record<string, string | number | null>;

const statementCache = new WeakMap<Database.Database, Map<string, Database.Statement>>();

function prepared(db: Db, sql: string): Database.Statement {
  let cache = statementCache.get(db.$client);
  if (!cache) {
    cache = new Map();
    statementCache.set(db.$client, cache);
  }
  let stmt = cache.get(sql);
  if (!stmt) {
    stmt = db.$client.prepare(sql);
    if (cache.size > 500) cache.clear();
    cache.set(sql, stmt);
  }
  return stmt;
}

function escapeLike(text: string): string {
  return text.replace(/[\\%_]/g, (c) => `\\${c}`);
}

/** A number typed in the search box (`42` or `#42`): also a job id. */
function searchedId(q: string | undefined): number | null {
  const m = q ? /^#?(\d{1,15})$/.exec(q.trim()) : null;
  return m ? Number(m[1]) : null;
}

/**
 * How a numeric search is applied: `any` matches the id or the text (counts, bulk actions),
 * `text` the text of every other job (the list's walk), `id` that job alone (the list's first row).
 */
type SearchPart = "any" | "text" | "id";

/** The WHERE terms (and their parameters) of a results filter. */
function filterSql(f: ResultFilter, part: SearchPart = "any"): { where: string[]; params: Params } {
  const byMessage = f.error !== undefined && f.error !== "";
  // Filtering failures by group, the state is written as a literal: only then may the planner
  // use the partial index results_failure_group_idx (WHERE state = 'failure').
  const literalState = byMessage && f.state === "failure";
  const where = [literalState ? "state = 'failure'" : "state = @state"];
  const params: Params = literalState ? {} : { state: f.state };
  if (f.task) {
    where.push("task = @task");
    params.task = f.task;
  }
  if (f.group) {
    where.push("group_name = @group");
    params.group = f.group;
  }
  if (f.queue) {
    where.push("queue = @queue");
    params.queue = f.queue;
  }
  if (f.since !== undefined) {
    where.push("stopped_at >= @since");
    params.since = f.since;
  }
  if (f.until !== undefined) {
    where.push("stopped_at < @until");
    params.until = f.until;
  }
  if (byMessage) {
    where.push("error_group = @error");
    params.error = f.error ?? "";
  }
  if (f.retried === "yes") where.push("retried_as IS NOT NULL");
  if (f.retried === "no") where.push("retried_as IS NULL");
  const q = f.q?.trim();
  const qid = searchedId(q);
  const columns = f.searchesContent
    ? ["name", "task", "args", "result", "error"]
    : ["name", "task"];
  const text = `(${columns.map((c) => `${c} LIKE @like ESCAPE '\\'`).join(" OR ")})`;
  if (qid !== null) {
    // A number is a job id and text (an order number in the arguments): the id is one
    // primary-key probe, the text a walk like any search.
    params.qid = qid;
    if (part !== "id") params.like = `%${escapeLike(q ?? "")}%`;
    where.push(
      part === "id"
        ? "id = @qid"
        : part === "text"
          ? `id != @qid AND ${text}`
          : `(id = @qid OR ${text})`,
    );
  } else if (q) {
    where.push(text);
    params.like = `%${escapeLike(q)}%`;
  }
  return { where, params };
}

const LIST_COLUMNS = `id, name, task, queue, group_name AS groupName, started_at AS startedAt,
  stopped_at AS stoppedAt, duration_ms AS durationMs, attempts, worker_id AS workerId,
  retry_of AS retryOf, retried_as AS retriedAs, substr(args, 1, ${PREVIEW_CHARS}) AS argsPreview`;

/** Largest failure group sorted in memory rather than found by walking another sort's index. */
const SMALL_GROUP = 2000;

/**
 * Where a list reads from. The failures of one message sorted by start or duration: the planner
 * walks that sort's index and tests each failure's message, so a rare message costs a scan of
 * every failure. A small group is cheaper read by its own index and sorted (the group's size comes
 * from `failure_groups`); a big one still fills a page after a short walk.
 */
function sourceFor(db: Db, p: ResultListParams): string {
  if (p.state !== "failure" || !p.error || p.sort === "stopped") return "results";
  const size = prepared(db, `SELECT count FROM failure_groups WHERE message = ?`)
    .pluck()
    .get(p.error) as number | undefined;
  return (size ?? 0) <= SMALL_GROUP ? "results INDEXED BY results_failure_group_idx" : "results";
}

type RowWithSort = ResultListRow & { sortValue: number | null };

/**
 * Walks a results list from a cursor in one direction, keyset-paginated on (sort column, id), and
 * returns up to `limit` rows plus whether more follow. A nullable sort column (started, duration)
 * is walked in two segments -- non-null values, then the nulls (or the reverse when ascending) --
 * so each segment is one index range scan.
 */
function walkResults(
  db: Db,
  p: ResultListParams,
  dir: SortDir,
  cursor: Cursor | null,
  limit: number,
): { rows: RowWithSort[]; more: boolean } {
  const col = SORT_COLUMN[p.sort];
  const desc = dir === "desc";
  const order = desc ? "DESC" : "ASC";
  const previewCol = p.state === "success" ? "result" : "error";
  const { where, params } = filterSql(p, "text");
  const from = sourceFor(db, p);
  const isNullable = IS_NULLABLE[p.sort];
  // NULL sorts smallest: descending walks values then nulls, ascending the reverse.
  const segments: ("values" | "nulls")[] = !isNullable
    ? ["values"]
    : desc
      ? ["values", "nulls"]
      : ["nulls", "values"];
  let start = 0;
  if (cursor && isNullable) start = segments.indexOf(cursor.v === null ? "nulls" : "values");
  const cmp = desc ? "<" : ">";
  // Each part is one index range scan. From a cursor in the values, the rows sharing its value
  // (after its id) come first, then the rows past its value: a row-value term (col, id) < (v, id)
  // would seek on the column alone and then scan every row of that value, which for a column of
  // few distinct values (attempts) is a third of the table.
  const parts: { terms: string[]; orderBy: string }[] = [];
  segments.forEach((segment, s) => {
    if (s < start) return;
    const base = isNullable ? [`${col} ${segment === "nulls" ? "IS NULL" : "IS NOT NULL"}`] : [];
    const byValue = `${col} ${order}, id ${order}`;
    if (segment === "nulls")
      parts.push({
        terms: cursor && s === start ? [...base, `id ${cmp} @cid`] : base,
        orderBy: `id ${order}`,
      });
    else if (cursor && s === start) {
      parts.push({ terms: [`${col} = @cv`, `id ${cmp} @cid`], orderBy: `id ${order}` });
      parts.push({ terms: [`${col} ${cmp} @cv`], orderBy: byValue });
    } else parts.push({ terms: base, orderBy: byValue });
  });
  const rows: RowWithSort[] = [];
  for (const part of parts) {
    if (rows.length > limit) break;
    const partParams: Params = { ...params, limit: limit + 1 - rows.length };
    if (cursor) Object.assign(partParams, { cid: cursor.id, cv: cursor.v });
    const sql = `SELECT ${LIST_COLUMNS}, substr(${previewCol}, 1, ${PREVIEW_CHARS}) AS preview,
        ${col} AS sortValue
      FROM ${from} WHERE ${[...where, ...part.terms].join(" AND ")}
      ORDER BY ${part.orderBy} LIMIT @limit`;
    rows.push(...(prepared(db, sql).all(partParams) as RowWithSort[]));
  }
  return { rows: rows.slice(0, limit), more: rows.length > limit };
}

/** The job a numeric search names, if it passes the other filters (shown first on page one). */
function searchedRow(db: Db, p: ResultListParams): RowWithSort | null {
  if (searchedId(p.q) === null) return null;
  const previewCol = p.state === "success" ? "result" : "error";
  const { where, params } = filterSql(p, "id");
  const sql = `SELECT ${LIST_COLUMNS}, substr(${previewCol}, 1, ${PREVIEW_CHARS}) AS preview,
      ${SORT_COLUMN[p.sort]} AS sortValue FROM results WHERE ${where.join(" AND ")}`;
  return (prepared(db, sql).get(params) as RowWithSort | undefined) ?? null;
}

const cursorOf = (row: RowWithSort | undefined): Cursor | null =>
  row ? { v: row.sortValue, id: row.id } : null;
const withoutSort = (rows: RowWithSort[]): ResultListRow[] =>
  rows.map(({ sortValue: _sortValue, ...row }) => row);

/**
 * Lists successes or failures, newest first by default, keyset-paginated both ways: `cursor`
 * gives the page after a row, `before` the page before one (walked in the opposite order, then
 * reversed). A numeric search shows the job with that id first on the first page, then the jobs
 * whose text contains the number.
 */
export function listResults(db: Db, p: ResultListParams): ResultPage {
  const limit = Math.max(1, Math.min(200, Math.floor(p.limit)));
  if (p.before) {
    const back = walkResults(db, p, p.dir === "desc" ? "asc" : "desc", p.before, limit);
    // Nothing before these: they are the first page (which also shows a searched id first).
    if (!back.more) return listResults(db, { ...p, before: null, cursor: null });
    const rows = back.rows.reverse();
    return { rows: withoutSort(rows), prev: cursorOf(rows[0]), next: cursorOf(rows.at(-1)) };
  }
  const cursor = p.cursor ?? null;
  const pinned = cursor || limit < 2 ? null : searchedRow(db, p);
  const walked = walkResults(db, p, p.dir, cursor, limit - (pinned ? 1 : 0));
  const rows = pinned ? [pinned, ...walked.rows] : walked.rows;
  return {
    rows: withoutSort(rows),
    next: walked.more ? cursorOf(walked.rows.at(-1)) : null,
    prev: cursor ? cursorOf(rows[0]) : null,
  };
}

/** Most ids a bulk "all matching" action touches at once (the UI says so when there are more). */
export const MAX_BULK = 10_000;

/** Most matching rows a list counts exactly; past it the list says "more than 10,000". */
export const MATCHING_COUNT_CAP = 10_000;

/** Counts results matching a filter, up to `cap + 1` (so the UI can say "more than cap"). */
export function countMatchingResults(db: Db, filter: ResultFilter, cap = MAX_BULK): number {
  const { where, params } = filterSql(filter);
  const sql = `SELECT COUNT(*) FROM (SELECT 1 FROM results WHERE ${where.join(" AND ")} LIMIT @cap)`;
  return prepared(db, sql)
    .pluck()
    .get({ ...params, cap: cap + 1 }) as number;
}

/** Ids of results matching a filter, newest first, at most `cap`. */
export function selectMatchingResultIds(db: Db, filter: ResultFilter, cap = MAX_BULK): number[] {
  const { where, params } = filterSql(filter);
  const sql = `SELECT id FROM results WHERE ${where.join(" AND ")} ORDER BY stopped_at DESC, id DESC LIMIT @cap`;
  return prepared(db, sql)
    .pluck()
    .all({ ...params, cap }) as number[];
}

/** Failures sharing one error fingerprint (db/queries/failure-groups.ts). */
export interface FailureGroup {
  /** The fingerprint: the group's key and its `error` filter on the Failures list. */
  message: string;
  /** The first line of one of its errors (the newest when it arrived). */
  example: string;
  count: number;
  /** How many are not retried yet. */
  open: number;
  tasks: string;
  lastAt: number;
}

/**
 * Failures grouped by fingerprint (their error's first line without its data), most unresolved first (at most
 * `limit`, default 50). Reads `failure_groups`, kept by triggers on `results`, in the order of
 * failure_groups_list_idx; each group's tasks (sorted) come from `failure_group_tasks`.
 */
export function listFailureGroups(db: Db, limit = 50): FailureGroup[] {
  return prepared(
    db,
    `SELECT message, example, count, open_count AS open, last_at AS lastAt,
       (SELECT group_concat(task, ',' ORDER BY task) FROM failure_group_tasks t
        WHERE t.message = g.message) AS tasks
     FROM failure_groups g ORDER BY open_count DESC, count DESC, last_at DESC, message LIMIT @limit`,
  ).all({ limit }) as FailureGroup[];
}

/** Distinct values for the filter menus (tasks from the catalog, queues and groups seen live or recently). */
export function listFilterOptions(db: Db): { tasks: string[]; queues: string[] } {
  const tasks = prepared(db, `SELECT name FROM tasks ORDER BY name`).pluck().all() as string[];
  // Walks results_state_queue_stopped_idx by skip-scan-like jumps: one probe per distinct queue.
  const queues = new Set<string>(["default"]);
  const nextQueue = prepared(
    db,
    `SELECT queue FROM results WHERE state = @state AND queue > @after ORDER BY queue LIMIT 1`,
  ).pluck();
  for (const state of ["success", "failure"]) {
    let after = "";
    for (let i = 0; i < 50; i++) {
      const q = nextQueue.get({ state, after }) as string | undefined;
      if (q === undefined) break;
      queues.add(q);
      after = q;
    }
  }
  for (const q of prepared(db, `SELECT DISTINCT queue FROM jobs LIMIT 50`)
    .pluck()
    .all() as string[])
    queues.add(q);
  return { tasks, queues: [...queues].sort() };
}

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

const QUEUE_COLUMNS = `id, name, task, queue, priority, state, group_name AS groupName, run_at AS runAt,
  created_at AS createdAt, attempts, max_attempts AS maxAttempts, locked_by AS lockedBy,
  started_at AS startedAt, lease_expires_at AS leaseExpiresAt, progress, progress_message AS progressMessage,
  cancel_requested_at AS cancelRequestedAt, substr(last_error, 1, ${PREVIEW_CHARS}) AS lastError,
  substr(args, 1, ${PREVIEW_CHARS}) AS argsPreview`;

/** Filters of the Queue page. */
export interface QueueFilter {
  queue?: string | undefined;
  task?: string | undefined;
}

function queueFilterSql(f: QueueFilter): { where: string[]; params: Params } {
  const where: string[] = [];
  const params: Params = {};
  if (f.queue) {
    where.push("queue = @queue");
    params.queue = f.queue;
  }
  if (f.task) {
    where.push("task = @task");
    params.task = f.task;
  }
  return { where, params };
}

/** Running jobs, longest-running first (a short list: at most the workers' total concurrency). */
export function listRunningJobs(db: Db, filter: QueueFilter = {}, limit = 500): QueueRow[] {
  const { where, params } = queueFilterSql(filter);
  return prepared(
    db,
    `SELECT ${QUEUE_COLUMNS} FROM jobs WHERE ${["state = 'running'", ...where].join(" AND ")}
     ORDER BY started_at, id LIMIT @limit`,
  ).all({ ...params, limit }) as QueueRow[];
}

/**
 * Queued jobs in the order workers will claim them (jobs_claim_idx), keyset-paginated both ways:
 * `cursor` gives the page after a job, `before` the page before one (the index walked backwards,
 * then reversed).
 */
export function listQueuedJobs(
  db: Db,
  filter: QueueFilter & {
    cursor?: QueueCursor | null | undefined;
    before?: QueueCursor | null | undefined;
    limit: number;
  },
): { rows: QueueRow[]; next: QueueCursor | null; prev: QueueCursor | null } {
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
  const rows = prepared(
    db,
    `SELECT ${QUEUE_COLUMNS} FROM jobs WHERE ${terms.join(" AND ")} ORDER BY ${order} LIMIT @limit`,
  ).all({ ...params, limit: limit + 1 }) as QueueRow[];
  const more = rows.length > limit;
  // Nothing before these: they are the first page.
  if (isBack && !more) return listQueuedJobs(db, { ...filter, before: null, cursor: null });
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

/** Counts queued jobs matching a filter, up to `cap + 1` (so the UI can say "more than cap"). */
export function countQueuedJobs(db: Db, filter: QueueFilter, cap = MATCHING_COUNT_CAP): number {
  const { where, params } = queueFilterSql(filter);
  const terms = ["state = 'queued'", ...where];
  return prepared(
    db,
    `SELECT COUNT(*) FROM (SELECT 1 FROM jobs WHERE ${terms.join(" AND ")} LIMIT @cap)`,
  )
    .pluck()
    .get({ ...params, cap: cap + 1 }) as number;
}

/** A worker as the Overview shows it, with the jobs it runs now. */
export interface WorkerInfo {
  id: string;
  host: string;
  pid: number;
  concurrency: number;
  queues: string;
  startedAt: number;
  lastHeartbeatAt: number;
  stoppedAt: number | null;
  jobsDone: number;
  running: { id: number; name: string | null; task: string; progress: number | null }[];
}

/** Workers not stopped, or stopped within the last hour, newest first (at most 50). */
export function listWorkers(db: Db, now = Date.now()): WorkerInfo[] {
  const workers = prepared(
    db,
    `SELECT id, host, pid, concurrency, queues, started_at AS startedAt, last_heartbeat_at AS lastHeartbeatAt,
       stopped_at AS stoppedAt, jobs_done AS jobsDone
     FROM workers WHERE last_heartbeat_at > @since ORDER BY stopped_at IS NOT NULL, started_at DESC LIMIT 50`,
  ).all({ since: now - 3_600_000 }) as Omit<WorkerInfo, "running">[];
  const running = prepared(
    db,
    `SELECT id, name, task, progress, locked_by AS lockedBy FROM jobs WHERE state = 'running' ORDER BY id LIMIT 1000`,
  ).all() as (WorkerInfo["running"][number] & { lockedBy: string | null })[];
  return workers.map((w) => ({
    ...w,
    running: running.filter((j) => j.lockedBy === w.id).map(({ lockedBy: _l, ...j }) => j),
  }));
}

/** The latest failures (for the Overview). */
export function listLatestFailures(db: Db, limit = 5): ResultListRow[] {
  return listResults(db, { state: "failure", sort: "stopped", dir: "desc", limit }).rows;
}

/** Where a job is now: queued/running in `jobs`, success/failure in `results`, or gone. */
export type JobLocation = JobStatus | "deleted";

/** One link of a retry chain. */
export interface LineageLink {
  id: number;
  state: JobLocation;
}

/** Everything the job page shows about one job. */
export interface JobDetail {
  id: number;
  state: Exclude<JobLocation, "deleted">;
  name: string | null;
  task: string;
  args: string;
  queue: string;
  priority: number;
  groupName: string | null;
  createdAt: number;
  runAt: number | null;
  startedAt: number | null;
  stoppedAt: number | null;
  durationMs: number | null;
  attempts: number;
  maxAttempts: number | null;
  /** The job's own timeout (ms); null: the worker's --timeout. */
  timeoutMs: number | null;
  /** The task enqueued when the job ends, if any. */
  hook: string | null;
  workerId: string | null;
  leaseExpiresAt: number | null;
  progress: number | null;
  progressMessage: string | null;
  cancelRequestedAt: number | null;
  result: string | null;
  error: string | null;
  errorStack: string | null;
  retryOf: number | null;
  retriedAs: number | null;
  retriedAt: number | null;
  scheduleId: number | null;
  scheduleName: string | null;
  attemptRows: AttemptRow[];
  /** Earlier jobs this one retries, oldest first. */
  ancestors: LineageLink[];
  /** Later retries of this job, in order. */
  descendants: LineageLink[];
}

interface LocatedJob {
  state: Exclude<JobLocation, "deleted">;
  retryOf: number | null;
  retriedAs: number | null;
}

function locateJob(db: Db, id: number): LocatedJob | null {
  const live = prepared(
    db,
    `SELECT state, retry_of AS retryOf, NULL AS retriedAs FROM jobs WHERE id = ?`,
  ).get(id) as LocatedJob | undefined;
  if (live) return live;
  const done = prepared(
    db,
    `SELECT state, retry_of AS retryOf, retried_as AS retriedAs FROM results WHERE id = ?`,
  ).get(id) as LocatedJob | undefined;
  return done ?? null;
}

/** Follows retry links from a job: `up` through retry_of, `down` through retried_as (at most 20 steps). */
function followLineage(db: Db, start: number | null, direction: "up" | "down"): LineageLink[] {
  const links: LineageLink[] = [];
  const seen = new Set<number>();
  let next = start;
  while (next !== null && links.length < 20 && !seen.has(next)) {
    seen.add(next);
    const found = locateJob(db, next);
    links.push({ id: next, state: found?.state ?? "deleted" });
    next = found ? (direction === "up" ? found.retryOf : found.retriedAs) : null;
    if (direction === "down" && found && found.state !== "failure") next = null;
  }
  return direction === "up" ? links.reverse() : links;
}

/** One job by id, from the live queue or the results, with attempts and retry lineage; null if unknown. */
export function getJob(db: Db, id: number): JobDetail | null {
  const live = prepared(
    db,
    `SELECT id, state, name, task, args, queue, priority, group_name AS groupName, created_at AS createdAt,
       run_at AS runAt, started_at AS startedAt, NULL AS stoppedAt, NULL AS durationMs, attempts,
       max_attempts AS maxAttempts, timeout_ms AS timeoutMs, hook, locked_by AS workerId, lease_expires_at AS leaseExpiresAt, progress,
       progress_message AS progressMessage, cancel_requested_at AS cancelRequestedAt, NULL AS result,
       last_error AS error, NULL AS errorStack, retry_of AS retryOf, NULL AS retriedAs, NULL AS retriedAt,
       schedule_id AS scheduleId
     FROM jobs WHERE id = ?`,
  ).get(id);
  const done =
    live ??
    prepared(
      db,
      `SELECT id, state, name, task, args, queue, priority, group_name AS groupName, created_at AS createdAt,
         NULL AS runAt, started_at AS startedAt, stopped_at AS stoppedAt, duration_ms AS durationMs, attempts,
         max_attempts AS maxAttempts, timeout_ms AS timeoutMs, hook, worker_id AS workerId, NULL AS leaseExpiresAt, NULL AS progress,
         NULL AS progressMessage, NULL AS cancelRequestedAt, result, error, error_stack AS errorStack,
         retry_of AS retryOf, retried_as AS retriedAs, retried_at AS retriedAt, schedule_id AS scheduleId
       FROM results WHERE id = ?`,
    ).get(id);
  if (!done) return null;
  const row = done as Omit<JobDetail, "attemptRows" | "ancestors" | "descendants" | "scheduleName">;
  const attemptRows = prepared(
    db,
    `SELECT id, job_id AS jobId, attempt, worker_id AS workerId, outcome, started_at AS startedAt,
       stopped_at AS stoppedAt, duration_ms AS durationMs, error, error_stack AS errorStack
     FROM attempts WHERE job_id = ? ORDER BY attempt, id`,
  ).all(id) as AttemptRow[];
  const scheduleName =
    row.scheduleId === null
      ? null
      : ((prepared(db, `SELECT name FROM schedules WHERE id = ?`).pluck().get(row.scheduleId) as
          string | undefined) ?? null);
  return {
    ...row,
    scheduleName,
    attemptRows,
    ancestors: followLineage(db, row.retryOf, "up"),
    descendants: followLineage(db, row.retriedAs, "down"),
  };
}
