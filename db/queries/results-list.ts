/**
 * The Successes and Failures lists: keyset-paginated both ways, filtered, searched, and the
 * "all matching" counts and selections of the bulk actions.
 *
 * Every list walks an index in its sort order and stops at `limit` rows, so deep pages and big
 * tables stay cheap. Text search (`q`) is the one filter no index serves: it is applied while
 * walking the sort index, so it costs as many rows as it has to look at to fill a page.
 */
import type { Db } from "../client";
import type { ResultState } from "../schema";
import { filterTerms, prepared, type Params } from "./prepared";

/** Sort keys of the results lists; each one is served by `results_state_<key>_idx`. */
export const RESULT_SORTS = ["stopped", "started", "duration", "attempts"] as const;
/** One of RESULT_SORTS. */
export type ResultSort = (typeof RESULT_SORTS)[number];
/** Sort direction. */
export type SortDir = "asc" | "desc";

export const SORT_COLUMN: Record<ResultSort, string> = {
  stopped: "stopped_at",
  started: "started_at",
  duration: "duration_ms",
  attempts: "attempts",
};
/** Sort columns that may be NULL (walked in two segments, see listResults). */
export const IS_NULLABLE: Record<ResultSort, boolean> = {
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

export function escapeLike(text: string): string {
  return text.replace(/[\\%_]/g, (c) => `\\${c}`);
}

/** A number typed in the search box (`42` or `#42`): also a job id. */
export function searchedId(q: string | undefined): number | null {
  const m = q ? /^#?(\d{1,15})$/.exec(q.trim()) : null;
  return m ? Number(m[1]) : null;
}

/**
 * How a numeric search is applied: `any` matches the id or the text (counts, bulk actions),
 * `text` the text of every other job (the list's walk), `id` that job alone (the list's first row).
 */
export type SearchPart = "any" | "text" | "id";

/**
 * The WHERE terms (and their named parameters) of a results filter. `like` is the operator of
 * text search: SQLite's LIKE ignores ASCII case; PostgreSQL passes ILIKE to match the same rows.
 */
export function filterSql(
  f: ResultFilter,
  part: SearchPart = "any",
  like: "LIKE" | "ILIKE" = "LIKE",
): { where: string[]; params: Params } {
  const byMessage = f.error !== undefined && f.error !== "";
  // Filtering failures by group, the state is written as a literal: only then may the planner
  // use the partial index results_failure_group_idx (WHERE state = 'failure').
  const literalState = byMessage && f.state === "failure";
  const { where: terms, params } = filterTerms([
    ["task = @task", "task", f.task],
    ["group_name = @group", "group", f.group],
    ["queue = @queue", "queue", f.queue],
    ["stopped_at >= @since", "since", f.since],
    ["stopped_at < @until", "until", f.until],
    ["error_group = @error", "error", f.error],
  ]);
  const where = [literalState ? "state = 'failure'" : "state = @state", ...terms];
  if (!literalState) params.state = f.state;
  if (f.retried === "yes") where.push("retried_as IS NOT NULL");
  if (f.retried === "no") where.push("retried_as IS NULL");
  const q = f.q?.trim();
  const qid = searchedId(q);
  const columns = f.searchesContent
    ? ["name", "task", "args", "result", "error"]
    : ["name", "task"];
  const text = `(${columns.map((c) => `${c} ${like} @like ESCAPE '\\'`).join(" OR ")})`;
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

/** A list row's columns (aliases quoted: PostgreSQL folds unquoted ones to lower case). */
export const LIST_COLUMNS = `id, name, task, queue, group_name AS "groupName", started_at AS "startedAt",
  stopped_at AS "stoppedAt", duration_ms AS "durationMs", attempts, worker_id AS "workerId",
  retry_of AS "retryOf", retried_as AS "retriedAs", substr(args, 1, ${PREVIEW_CHARS}) AS "argsPreview"`;

/** The SELECT list of a results list row with its preview and sort value (`sortValue`). */
export function listSelect(p: { state: ResultState; sort: ResultSort }): string {
  const previewCol = p.state === "success" ? "result" : "error";
  return `${LIST_COLUMNS}, substr(${previewCol}, 1, ${PREVIEW_CHARS}) AS preview,
    ${SORT_COLUMN[p.sort]} AS "sortValue"`;
}

/** Largest failure group sorted in memory rather than found by walking another sort's index. */
export const SMALL_GROUP = 2000;

/**
 * Where a list reads from. The failures of one message sorted by start or duration: the planner
 * walks that sort's index and tests each failure's message, so a rare message costs a scan of
 * every failure. A small group is cheaper read by its own index and sorted (the group's size comes
 * from `failure_groups`); a big one still fills a page after a short walk.
 */
function sourceFor(db: Db, p: ResultListParams): string {
  if (!mayReadGroupIndex(p)) return "results";
  const size = prepared(db, `SELECT count FROM failure_groups WHERE message = ?`)
    .pluck()
    .get(p.error) as number | undefined;
  return (size ?? 0) <= SMALL_GROUP ? "results INDEXED BY results_failure_group_idx" : "results";
}

/** Whether a list is the failures of one group sorted by another key than stop time (see sourceFor). */
export function mayReadGroupIndex(p: ResultListParams): p is ResultListParams & { error: string } {
  return p.state === "failure" && Boolean(p.error) && p.sort !== "stopped";
}

/** A list row with the value it is sorted by (the cursor's `v`). */
export type RowWithSort = ResultListRow & { sortValue: number | null };

/** One index range scan of a walk: its WHERE terms beyond the filter's, and its ORDER BY. */
export interface WalkPart {
  terms: string[];
  orderBy: string;
}

/**
 * The index range scans, in order, that walk a results list sorted by `sort` from `cursor` in
 * direction `dir` (parameters `@cid`, `@cv`: the cursor's id and value). A nullable sort column
 * (started, duration) is walked in two segments -- non-null values, then the nulls (or the
 * reverse when ascending) -- so each segment is one index range scan.
 */
export function walkParts(sort: ResultSort, dir: SortDir, cursor: Cursor | null): WalkPart[] {
  const col = SORT_COLUMN[sort];
  const desc = dir === "desc";
  const order = desc ? "DESC" : "ASC";
  const isNullable = IS_NULLABLE[sort];
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
  const parts: WalkPart[] = [];
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
  return parts;
}

/** The statement of one walk part reading from `from` (parameter `@limit`: rows still wanted). */
export function walkPartSql(
  p: ResultListParams,
  from: string,
  where: string[],
  part: WalkPart,
): string {
  return `SELECT ${listSelect(p)} FROM ${from} WHERE ${[...where, ...part.terms].join(" AND ")}
    ORDER BY ${part.orderBy} LIMIT @limit`;
}

/** Parameters of one walk part: the filter's, the cursor's and how many rows are still wanted. */
export function walkPartParams(params: Params, cursor: Cursor | null, wanted: number): Params {
  const partParams: Params = { ...params, limit: wanted };
  if (cursor) Object.assign(partParams, { cid: cursor.id, cv: cursor.v });
  return partParams;
}

/**
 * Walks a results list from a cursor in one direction, keyset-paginated on (sort column, id), and
 * returns up to `limit` rows plus whether more follow (see walkParts).
 */
function walkResults(
  db: Db,
  p: ResultListParams,
  dir: SortDir,
  cursor: Cursor | null,
  limit: number,
): { rows: RowWithSort[]; more: boolean } {
  const { where, params } = filterSql(p, "text");
  const from = sourceFor(db, p);
  const rows: RowWithSort[] = [];
  for (const part of walkParts(p.sort, dir, cursor)) {
    if (rows.length > limit) break;
    const sql = walkPartSql(p, from, where, part);
    const partParams = walkPartParams(params, cursor, limit + 1 - rows.length);
    rows.push(...(prepared(db, sql).all(partParams) as RowWithSort[]));
  }
  return { rows: rows.slice(0, limit), more: rows.length > limit };
}

/** The statement of the row a numeric search names (see searchedRow), or null for other searches. */
export function searchedRowSql(p: ResultListParams): { sql: string; params: Params } | null {
  if (searchedId(p.q) === null) return null;
  const { where, params } = filterSql(p, "id");
  return { sql: `SELECT ${listSelect(p)} FROM results WHERE ${where.join(" AND ")}`, params };
}

/** The job a numeric search names, if it passes the other filters (shown first on page one). */
function searchedRow(db: Db, p: ResultListParams): RowWithSort | null {
  const q = searchedRowSql(p);
  if (!q) return null;
  return (prepared(db, q.sql).get(q.params) as RowWithSort | undefined) ?? null;
}

const cursorOf = (row: RowWithSort | undefined): Cursor | null =>
  row ? { v: row.sortValue, id: row.id } : null;
const withoutSort = (rows: RowWithSort[]): ResultListRow[] =>
  rows.map(({ sortValue: _sortValue, ...row }) => row);

/** Rows per page of a results list: `limit` clamped to 1..200. */
export const pageLimit = (limit: number): number => Math.max(1, Math.min(200, Math.floor(limit)));

/**
 * The page a walk backwards from `before` makes, or null when nothing precedes the rows it found:
 * they are then the first page (which also shows a searched id first), to be listed afresh.
 */
export function pageBefore(back: { rows: RowWithSort[]; more: boolean }): ResultPage | null {
  if (!back.more) return null;
  const rows = [...back.rows].reverse();
  return { rows: withoutSort(rows), prev: cursorOf(rows[0]), next: cursorOf(rows.at(-1)) };
}

/** The page a walk forwards from `cursor` makes, after the `pinned` row of a numeric search. */
export function pageAfter(
  cursor: Cursor | null,
  pinned: RowWithSort | null,
  walked: { rows: RowWithSort[]; more: boolean },
): ResultPage {
  const rows = pinned ? [pinned, ...walked.rows] : walked.rows;
  return {
    rows: withoutSort(rows),
    next: walked.more ? cursorOf(walked.rows.at(-1)) : null,
    prev: cursor ? cursorOf(rows[0]) : null,
  };
}

/** Whether page one of a list shows the row a numeric search names first (see searchedRow). */
export const pinsSearchedRow = (cursor: Cursor | null, limit: number): boolean =>
  !cursor && limit >= 2;

/**
 * Lists successes or failures, newest first by default, keyset-paginated both ways: `cursor`
 * gives the page after a row, `before` the page before one (walked in the opposite order, then
 * reversed). A numeric search shows the job with that id first on the first page, then the jobs
 * whose text contains the number.
 */
export function listResults(db: Db, p: ResultListParams): ResultPage {
  const limit = pageLimit(p.limit);
  if (p.before) {
    const back = walkResults(db, p, p.dir === "desc" ? "asc" : "desc", p.before, limit);
    return pageBefore(back) ?? listResults(db, { ...p, before: null, cursor: null });
  }
  const cursor = p.cursor ?? null;
  const pinned = pinsSearchedRow(cursor, limit) ? searchedRow(db, p) : null;
  const walked = walkResults(db, p, p.dir, cursor, limit - (pinned ? 1 : 0));
  return pageAfter(cursor, pinned, walked);
}

/** Most ids a bulk "all matching" action touches at once (the UI says so when there are more). */
export const MAX_BULK = 10_000;

/** Most matching rows a list counts exactly; past it the list says "more than 10,000". */
export const MATCHING_COUNT_CAP = 10_000;

/** Counts results matching a filter, up to `cap + 1` (so the UI can say "more than cap"). */
export function countMatchingResults(db: Db, filter: ResultFilter, cap = MAX_BULK): number {
  const q = countMatchingSql(filter, cap);
  return prepared(db, q.sql).pluck().get(q.params) as number;
}

/** The statement of countMatchingResults (one column: the count). */
export function countMatchingSql(
  filter: ResultFilter,
  cap: number,
  like: "LIKE" | "ILIKE" = "LIKE",
): { sql: string; params: Params } {
  const q = matchingSql(filter, like, "1", "", cap + 1);
  return { sql: `SELECT COUNT(*) AS n FROM (${q.sql}) AS m`, params: q.params };
}

/** Ids of results matching a filter, newest first, at most `cap`. */
export function selectMatchingResultIds(db: Db, filter: ResultFilter, cap = MAX_BULK): number[] {
  const q = matchingIdsSql(filter, cap);
  return prepared(db, q.sql).pluck().all(q.params) as number[];
}

/** The statement of selectMatchingResultIds (one column: the id). */
export function matchingIdsSql(
  filter: ResultFilter,
  cap: number,
  like: "LIKE" | "ILIKE" = "LIKE",
): { sql: string; params: Params } {
  return matchingSql(filter, like, "id", "ORDER BY stopped_at DESC, id DESC", cap);
}

/** `SELECT <columns>` of the results matching a filter, `order`ed, at most `cap` of them. */
function matchingSql(
  filter: ResultFilter,
  like: "LIKE" | "ILIKE",
  columns: string,
  order: string,
  cap: number,
): { sql: string; params: Params } {
  const { where, params } = filterSql(filter, "any", like);
  return {
    sql: `SELECT ${columns} FROM results WHERE ${where.join(" AND ")} ${order} LIMIT @cap`,
    params: { ...params, cap },
  };
}
