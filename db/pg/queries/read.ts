/** Library reads on PostgreSQL: one job by id, and the jobs of a group (db/queries/read.ts). */
import { toInfo, type JobInfo, type RawJob } from "../../queries/read";
import type { Queryable } from "../client";

const RESULT_SQL = `SELECT id, name, task, args, queue, priority, group_name AS "group",
  state AS status, attempts, result, error, error_stack AS "errorStack", created_at AS "createdAt",
  NULL::bigint AS "runAt", started_at AS "startedAt", stopped_at AS "stoppedAt",
  duration_ms AS "durationMs", NULL::float8 AS progress, retry_of AS "retryOf",
  retried_as AS "retriedAs" FROM results`;

const JOB_SQL = `SELECT id, name, task, args, queue, priority, group_name AS "group",
  state AS status, attempts, NULL::text AS result, last_error AS error, NULL::text AS "errorStack",
  created_at AS "createdAt", run_at AS "runAt", started_at AS "startedAt",
  NULL::bigint AS "stoppedAt", NULL::bigint AS "durationMs", progress, retry_of AS "retryOf",
  NULL::bigint AS "retriedAs" FROM jobs`;

/** A job by id, wherever it is (queue or results); null when unknown or deleted. */
export async function readJobPg(db: Queryable, id: number): Promise<JobInfo | null> {
  // One statement: a job that ends between two reads would be missed by neither.
  const { rows } = await db.query<RawJob>(
    `(${JOB_SQL} WHERE id = $1) UNION ALL (${RESULT_SQL} WHERE id = $1) LIMIT 1`,
    [id],
  );
  return rows[0] ? toInfo(rows[0]) : null;
}

/** Every job of a group: finished ones first (by stop time), then those still queued or running. */
export async function readGroupPg(db: Queryable, group: string): Promise<JobInfo[]> {
  const { rows } = await db.query<RawJob>(
    `SELECT * FROM ((SELECT 0 AS part, r.* FROM (${RESULT_SQL} WHERE group_name = $1) r)
       UNION ALL (SELECT 1 AS part, j.* FROM (${JOB_SQL} WHERE group_name = $1) j)) g
     ORDER BY part, "stoppedAt", id`,
    [group],
  );
  return rows.map(({ part: _part, ...row }: RawJob & { part?: number }) => toInfo(row));
}
