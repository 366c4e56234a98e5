/**
 * The dashboard's other reads on PostgreSQL: failure groups, filter menus, workers, counters and
 * per-minute stats (sharded: summed over their shards, see docs/POSTGRES.md), the audit log, the
 * task catalog and the failures `retry-failed` takes. Shapes and rules come from db/queries.
 */
import { auditPage, auditPageSize, type AuditPage } from "../../queries/audit";
import type { FailureGroup, RunningJob, WorkerInfo } from "../../queries/jobs";
import { STOPPED_WORKER_SHOWN_MS, withRunning } from "../../queries/jobs";
import { minuteOf, type QueueStats } from "../../queries/stats";
import type { TaskInfo } from "../../queries/tasks";
import type { AuditRow } from "../../schema";
import { DB_NOW_MS, type Queryable } from "../client";

/**
 * listFailureGroups on PostgreSQL: groups summed over their shards; each listed group's last
 * failure time and example from its newest failure (one seek on results_failure_group_idx), its
 * tasks (those still counting failures) from failure_group_tasks.
 */
export async function listFailureGroupsPg(db: Queryable, limit = 50): Promise<FailureGroup[]> {
  const { rows } = await db.query<FailureGroup>(
    `SELECT g.message, newest.error_message AS example, g.count, g.open_count AS open,
       newest.stopped_at AS "lastAt",
       (SELECT string_agg(t.task, ',' ORDER BY t.task) FROM (
          SELECT task FROM failure_group_tasks WHERE message = g.message
          GROUP BY task HAVING sum(count) > 0) t) AS tasks
     FROM (SELECT message, sum(count)::bigint AS count, sum(open_count)::bigint AS open_count
           FROM failure_groups GROUP BY message HAVING sum(count) > 0) g
     CROSS JOIN LATERAL (SELECT stopped_at, error_message FROM results
           WHERE state = 'failure' AND error_group = g.message
           ORDER BY stopped_at DESC, id DESC LIMIT 1) newest
     ORDER BY g.open_count DESC, g.count DESC, newest.stopped_at DESC, g.message LIMIT $1`,
    [limit],
  );
  return rows;
}

/**
 * listFilterOptions on PostgreSQL: the catalog's tasks; the queues seen in results (per state, a
 * loose index scan of results_state_queue_stopped_idx: one probe per distinct queue, at most 50)
 * and in the live queue.
 */
export async function listFilterOptionsPg(
  db: Queryable,
): Promise<{ tasks: string[]; queues: string[] }> {
  const tasks = await db.query<{ name: string }>(`SELECT name FROM tasks ORDER BY name`);
  const seen = await db.query<{ queue: string }>(
    `WITH RECURSIVE walk(state, queue, n) AS (
       SELECT s.state, (SELECT min(queue) FROM results r WHERE r.state = s.state), 1
         FROM (VALUES ('success'), ('failure')) AS s(state)
       UNION ALL
       SELECT w.state, (SELECT min(queue) FROM results r WHERE r.state = w.state AND r.queue > w.queue), w.n + 1
         FROM walk w WHERE w.queue IS NOT NULL AND w.n < 50
     )
     SELECT queue FROM walk WHERE queue IS NOT NULL
     UNION SELECT queue FROM (SELECT DISTINCT queue FROM jobs LIMIT 50) j`,
  );
  const queues = new Set<string>(["default", ...seen.rows.map((r) => r.queue)]);
  return { tasks: tasks.rows.map((r) => r.name), queues: [...queues].sort() };
}

/** listWorkers on PostgreSQL (`now` defaults to the database's clock). */
export async function listWorkersPg(db: Queryable, now?: number): Promise<WorkerInfo[]> {
  const workers = await db.query<Omit<WorkerInfo, "running">>(
    `SELECT id, host, pid, concurrency, queues, started_at AS "startedAt",
       last_heartbeat_at AS "lastHeartbeatAt", stopped_at AS "stoppedAt", jobs_done AS "jobsDone"
     FROM workers WHERE last_heartbeat_at > coalesce($1::bigint, ${DB_NOW_MS}) - $2::bigint
     ORDER BY stopped_at IS NOT NULL, started_at DESC LIMIT 50`,
    [now ?? null, STOPPED_WORKER_SHOWN_MS],
  );
  const running = await db.query<RunningJob>(
    `SELECT id, name, task, progress, locked_by AS "lockedBy" FROM jobs
     WHERE state = 'running' ORDER BY id LIMIT 1000`,
  );
  return withRunning(workers.rows, running.rows);
}

/** getQueueStats on PostgreSQL: counters summed over shards; `now` defaults to the database's clock. */
export async function getQueueStatsPg(db: Queryable, now?: number): Promise<QueueStats> {
  const { rows } = await db.query<QueueStats>(
    `WITH now AS (SELECT coalesce($1::bigint, ${DB_NOW_MS}) AS ms)
     SELECT
       (SELECT count(*) FROM jobs WHERE state = 'queued') AS queued,
       (SELECT count(*) FROM jobs, now WHERE state = 'queued' AND run_at > now.ms) AS scheduled,
       (SELECT count(*) FROM jobs WHERE state = 'running') AS running,
       (SELECT coalesce(sum(value), 0)::bigint FROM counters WHERE name = 'success') AS success,
       (SELECT coalesce(sum(value), 0)::bigint FROM counters WHERE name = 'failure') AS failure,
       (SELECT count(*) FROM schedules) AS schedules,
       (SELECT count(*) FROM workers, now WHERE stopped_at IS NULL AND last_heartbeat_at > now.ms - 60000) AS workers`,
    [now ?? null],
  );
  return rows[0]!;
}

/** getThroughput on PostgreSQL: each minute summed over its shards. */
export async function getThroughputPg(
  db: Queryable,
  since: number,
): Promise<{ minute: number; success: number; failure: number }[]> {
  const { rows } = await db.query<{ minute: number; success: number; failure: number }>(
    `SELECT minute, sum(success)::bigint AS success, sum(failure)::bigint AS failure
     FROM stats_minutely WHERE minute >= $1 GROUP BY minute ORDER BY minute`,
    [minuteOf(since)],
  );
  return rows;
}

/** countOutcomesSince on PostgreSQL. */
export async function countOutcomesSincePg(
  db: Queryable,
  since: number,
): Promise<{ success: number; failure: number }> {
  const { rows } = await db.query<{ success: number; failure: number }>(
    `SELECT coalesce(sum(success), 0)::bigint AS success, coalesce(sum(failure), 0)::bigint AS failure
     FROM stats_minutely WHERE minute >= $1`,
    [minuteOf(since)],
  );
  return rows[0]!;
}

/** listAudit on PostgreSQL. */
export async function listAuditPg(
  db: Queryable,
  { before, limit }: { before?: number; limit: number },
): Promise<AuditPage> {
  const size = auditPageSize(limit);
  const { rows } = await db.query<AuditRow>(
    `SELECT id, at, actor, action, target, before, after, address FROM audit_log
     WHERE id < $1 ORDER BY id DESC LIMIT $2`,
    [before ?? Number.MAX_SAFE_INTEGER, size + 1],
  );
  return auditPage(rows, size);
}

/** listTasks on PostgreSQL. */
export async function listTasksPg(db: Queryable): Promise<TaskInfo[]> {
  const { rows } = await db.query<TaskInfo>(
    `SELECT name, description, example_args AS "exampleArgs", args_schema AS "argsSchema",
       is_builtin AS "isBuiltin" FROM tasks ORDER BY name`,
  );
  return rows;
}

/** listRetryableFailureIds on PostgreSQL. */
export async function listRetryableFailureIdsPg(
  db: Queryable,
  filter: { task?: string } = {},
): Promise<number[]> {
  const { rows } = await db.query<{ id: number }>(
    `SELECT id FROM results WHERE state = 'failure' AND retried_as IS NULL
       ${filter.task ? "AND task = $1" : ""} ORDER BY stopped_at, id`,
    filter.task ? [filter.task] : [],
  );
  return rows.map((r) => r.id);
}
