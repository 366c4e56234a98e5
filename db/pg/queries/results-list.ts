/**
 * The Successes and Failures lists on PostgreSQL: the statements db/queries/results-list.ts builds
 * (filters, walk parts, cursors and pages are its own), run with PostgreSQL's ILIKE for search
 * (SQLite's LIKE ignores ASCII case) and a subquery instead of SQLite's INDEXED BY.
 */
import {
  countMatchingSql,
  filterSql,
  MAX_BULK,
  matchingIdsSql,
  mayReadGroupIndex,
  pageAfter,
  pageBefore,
  pageLimit,
  pinsSearchedRow,
  searchedRowSql,
  SMALL_GROUP,
  walkPartParams,
  walkPartSql,
  walkParts,
  type Cursor,
  type ResultFilter,
  type ResultListParams,
  type ResultListRow,
  type ResultPage,
  type RowWithSort,
  type SortDir,
} from "../../queries/results-list";
import type { Queryable } from "../client";
import { queryNamed } from "./named";

/**
 * Where a list reads from (db/queries/results-list.ts's sourceFor). A small failure group sorted
 * by start or duration is read whole by results_failure_group_idx and sorted: the OFFSET 0
 * subquery keeps the planner from walking the sort's index instead.
 */
async function sourceFor(db: Queryable, p: ResultListParams): Promise<string> {
  if (!mayReadGroupIndex(p)) return "results";
  const { rows } = await db.query<{ size: number | null }>(
    `SELECT sum(count)::bigint AS size FROM failure_groups WHERE message = $1`,
    [p.error],
  );
  return (rows[0]?.size ?? 0) <= SMALL_GROUP
    ? `(SELECT * FROM results WHERE state = 'failure' AND error_group = @error OFFSET 0) AS results`
    : "results";
}

async function walkResults(
  db: Queryable,
  p: ResultListParams,
  dir: SortDir,
  cursor: Cursor | null,
  limit: number,
): Promise<{ rows: RowWithSort[]; more: boolean }> {
  const { where, params } = filterSql(p, "text", "ILIKE");
  const from = await sourceFor(db, p);
  const rows: RowWithSort[] = [];
  for (const part of walkParts(p.sort, dir, cursor)) {
    if (rows.length > limit) break;
    const sql = walkPartSql(p, from, where, part);
    const partParams = walkPartParams(params, cursor, limit + 1 - rows.length);
    rows.push(...(await queryNamed<RowWithSort>(db, sql, partParams)));
  }
  return { rows: rows.slice(0, limit), more: rows.length > limit };
}

async function searchedRow(db: Queryable, p: ResultListParams): Promise<RowWithSort | null> {
  const q = searchedRowSql(p);
  if (!q) return null;
  return (await queryNamed<RowWithSort>(db, q.sql, q.params))[0] ?? null;
}

/** listResults (db/queries/results-list.ts) on PostgreSQL. */
export async function listResultsPg(db: Queryable, p: ResultListParams): Promise<ResultPage> {
  const limit = pageLimit(p.limit);
  if (p.before) {
    const back = await walkResults(db, p, p.dir === "desc" ? "asc" : "desc", p.before, limit);
    return pageBefore(back) ?? listResultsPg(db, { ...p, before: null, cursor: null });
  }
  const cursor = p.cursor ?? null;
  const pinned = pinsSearchedRow(cursor, limit) ? await searchedRow(db, p) : null;
  const walked = await walkResults(db, p, p.dir, cursor, limit - (pinned ? 1 : 0));
  return pageAfter(cursor, pinned, walked);
}

/** countMatchingResults on PostgreSQL. */
export async function countMatchingResultsPg(
  db: Queryable,
  filter: ResultFilter,
  cap = MAX_BULK,
): Promise<number> {
  const q = countMatchingSql(filter, cap, "ILIKE");
  const rows = await queryNamed<{ n: number }>(db, q.sql, q.params);
  return rows[0]?.n ?? 0;
}

/** selectMatchingResultIds on PostgreSQL. */
export async function selectMatchingResultIdsPg(
  db: Queryable,
  filter: ResultFilter,
  cap = MAX_BULK,
): Promise<number[]> {
  const q = matchingIdsSql(filter, cap, "ILIKE");
  return (await queryNamed<{ id: number }>(db, q.sql, q.params)).map((r) => r.id);
}

/** listLatestFailures on PostgreSQL. */
export async function listLatestFailuresPg(db: Queryable, limit = 5): Promise<ResultListRow[]> {
  return (await listResultsPg(db, { state: "failure", sort: "stopped", dir: "desc", limit })).rows;
}
