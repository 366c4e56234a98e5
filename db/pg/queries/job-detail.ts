/** One job's page on PostgreSQL: the row, its attempts and its retry lineage (db/queries/job-detail.ts). */
import {
  followLineage,
  MAX_LINEAGE,
  type JobDetail,
  type LocatedJob,
} from "../../queries/job-detail";
import type { AttemptRow } from "../../schema";
import type { Queryable } from "../client";
import { attempts } from "../schema";
import { selectColumns } from "./named";

type DetailRow = Omit<JobDetail, "attemptRows" | "ancestors" | "descendants" | "scheduleName">;

const LIVE = `SELECT id, state, name, task, args, queue, priority, group_name AS "groupName",
    created_at AS "createdAt", run_at AS "runAt", started_at AS "startedAt", NULL::bigint AS "stoppedAt",
    NULL::bigint AS "durationMs", attempts, max_attempts AS "maxAttempts", timeout_ms AS "timeoutMs", hook,
    locked_by AS "workerId", lease_expires_at AS "leaseExpiresAt", progress,
    progress_message AS "progressMessage", cancel_requested_at AS "cancelRequestedAt",
    NULL::text AS result, last_error AS error, NULL::text AS "errorStack", retry_of AS "retryOf",
    NULL::bigint AS "retriedAs", NULL::bigint AS "retriedAt", schedule_id AS "scheduleId"
  FROM jobs WHERE id = $1`;

const DONE = `SELECT id, state, name, task, args, queue, priority, group_name AS "groupName",
    created_at AS "createdAt", NULL::bigint AS "runAt", started_at AS "startedAt", stopped_at AS "stoppedAt",
    duration_ms AS "durationMs", attempts, max_attempts AS "maxAttempts", timeout_ms AS "timeoutMs", hook,
    worker_id AS "workerId", NULL::bigint AS "leaseExpiresAt", NULL::float8 AS progress,
    NULL::text AS "progressMessage", NULL::bigint AS "cancelRequestedAt", result, error,
    error_stack AS "errorStack", retry_of AS "retryOf", retried_as AS "retriedAs",
    retried_at AS "retriedAt", schedule_id AS "scheduleId"
  FROM results WHERE id = $1`;

/**
 * Every job reachable from `start` through retry links in one direction, located (live first, as
 * locateJob does), at most MAX_LINEAGE + 1 steps: one recursive statement instead of a round
 * trip per link. followLineage then applies the rules (cycles, where a chain stops) to them.
 */
async function reachable(
  db: Queryable,
  start: number | null,
  direction: "up" | "down",
): Promise<Map<number, LocatedJob>> {
  const found = new Map<number, LocatedJob>();
  if (start === null) return found;
  const link = direction === "up" ? `l."retryOf"` : `l."retriedAs"`;
  const { rows } = await db.query<LocatedJob & { id: number }>(
    `WITH RECURSIVE chain(id, depth) AS (
       SELECT $1::bigint, 0
       UNION
       SELECT ${link}, chain.depth + 1 FROM chain
       CROSS JOIN LATERAL (${LOCATE}) l
       WHERE ${link} IS NOT NULL AND chain.depth < $2
     )
     SELECT chain.id, l.state, l."retryOf", l."retriedAs" FROM chain CROSS JOIN LATERAL (${LOCATE}) l`,
    [start, MAX_LINEAGE + 1],
  );
  for (const r of rows) {
    if (!found.has(r.id))
      found.set(r.id, { state: r.state, retryOf: r.retryOf, retriedAs: r.retriedAs });
  }
  return found;
}

/** locateJob's two probes as one lateral subquery over `chain.id` (a live job wins). */
const LOCATE = `SELECT * FROM (
    SELECT 0 AS o, state, retry_of AS "retryOf", NULL::bigint AS "retriedAs" FROM jobs WHERE id = chain.id
    UNION ALL
    SELECT 1, state, retry_of, retried_as FROM results WHERE id = chain.id
  ) x ORDER BY o LIMIT 1`;

/** getJob (db/queries/job-detail.ts) on PostgreSQL. */
export async function getJobDetailPg(db: Queryable, id: number): Promise<JobDetail | null> {
  const row =
    (await db.query<DetailRow>(LIVE, [id])).rows[0] ??
    (await db.query<DetailRow>(DONE, [id])).rows[0];
  if (!row) return null;
  const [attemptRows, scheduleName, up, down] = await Promise.all([
    db
      .query<AttemptRow>(
        `SELECT ${selectColumns(attempts)} FROM attempts WHERE job_id = $1 ORDER BY attempt, id`,
        [id],
      )
      .then((r) => r.rows),
    row.scheduleId === null
      ? null
      : db
          .query<{ name: string }>(`SELECT name FROM schedules WHERE id = $1`, [row.scheduleId])
          .then((r) => r.rows[0]?.name ?? null),
    reachable(db, row.retryOf, "up"),
    reachable(db, row.retriedAs, "down"),
  ]);
  const locate = (map: Map<number, LocatedJob>) => (jobId: number) => map.get(jobId) ?? null;
  return {
    ...row,
    scheduleName,
    attemptRows,
    ancestors: followLineage(locate(up), row.retryOf, "up"),
    descendants: followLineage(locate(down), row.retriedAs, "down"),
  };
}
