/**
 * Upkeep on PostgreSQL: the worker's own row, lease rescue, retention, the counters' fold and the
 * task catalog. What a rescue or a prune writes is db/lifecycle.ts's (lostAttemptEnding; the
 * endings' SQL is db/pg/queries/lifecycle.ts's finishPg and deleteResultsPg, the requeue
 * db/pg/claim.ts's requeueJobsPg). Times default to the database's clock; tests pass `now`.
 */
import type pg from "pg";
import { lostAttemptEnding, type AttemptEnd, type LostJob } from "../../lifecycle";
import { MAX_ERROR_CHARS, MAX_STACK_CHARS, truncateText } from "../../limits";
import type { TaskInfo } from "../../queries/tasks";
import { workerQueuesText, type RescueResult, type Retention } from "../../queries/upkeep";
import { requeueJobsPg } from "../claim";
import { DB_NOW_MS, dbNow, type Queryable } from "../client";
import { withTransaction } from "../tx";
import { loadCatalog } from "./enqueue";
import { deleteResultsPg, finishPg } from "./lifecycle";

const DAY_MS = 86_400_000;

/** registerWorker on PostgreSQL: started and last seen now, by the database's clock. */
export async function registerWorkerPg(
  db: Queryable,
  w: { id: string; host: string; pid: number; concurrency: number; queues: string[] | null },
): Promise<void> {
  await db.query(
    `INSERT INTO workers (id, host, pid, concurrency, queues, started_at, last_heartbeat_at)
     SELECT $1, $2, $3, $4, $5, now.ms, now.ms FROM (SELECT ${DB_NOW_MS} AS ms) AS now`,
    [w.id, w.host, w.pid, w.concurrency, workerQueuesText(w.queues)],
  );
}

/** heartbeatWorker on PostgreSQL. */
export async function heartbeatWorkerPg(
  db: Queryable,
  workerId: string,
  now?: number,
): Promise<void> {
  await db.query(
    `UPDATE workers SET last_heartbeat_at = COALESCE($2::bigint, ${DB_NOW_MS}) WHERE id = $1`,
    [workerId, now ?? null],
  );
}

/** markWorkerStopped on PostgreSQL. */
export async function markWorkerStoppedPg(
  db: Queryable,
  workerId: string,
  now?: number,
): Promise<void> {
  await db.query(
    `UPDATE workers SET stopped_at = t.ms, last_heartbeat_at = t.ms
     FROM (SELECT COALESCE($2::bigint, ${DB_NOW_MS}) AS ms) AS t WHERE id = $1`,
    [workerId, now ?? null],
  );
}

function cut(text: string | null, max: number): string | null {
  return text === null ? null : truncateText(text, max);
}

/** Records an attempt row (db/lifecycle.ts's recordAttempt). */
async function recordAttemptPg(db: Queryable, id: number, a: AttemptEnd): Promise<void> {
  await db.query(
    `INSERT INTO attempts (job_id, attempt, worker_id, outcome, started_at, stopped_at,
       duration_ms, error, error_stack)
     VALUES ($1, $2, $3, $4, $5, $6, $6::bigint - $5::bigint, $7, $8)`,
    [
      id,
      a.attempt,
      a.worker,
      a.outcome,
      a.startedAt,
      a.stoppedAt,
      cut(a.error, MAX_ERROR_CHARS),
      cut(a.stack, MAX_STACK_CHARS),
    ],
  );
}

/**
 * rescueExpiredLeases on PostgreSQL, in one transaction: the expired running jobs are locked
 * (`FOR UPDATE SKIP LOCKED`: concurrent sweeps on other hosts take other jobs, and a sweep never
 * waits for a worker's write), then each one's lost attempt is written as lostAttemptEnding says:
 * back to the queue (set-wise, announced), or its final failure with its hook exactly once.
 */
export async function rescueExpiredLeasesPg(
  pool: pg.Pool,
  now?: number,
  limit = 1000,
): Promise<RescueResult> {
  return withTransaction(pool, async (client) => {
    const { rows } = await client.query<LostJob & { now: number }>(
      `WITH t AS (SELECT COALESCE($1::bigint, ${DB_NOW_MS}) AS now)
       SELECT id, attempts, max_attempts AS "maxAttempts", locked_by AS "lockedBy",
         locked_at AS "lockedAt", claim_token AS "claimToken", started_at AS "startedAt",
         cancel_requested_at AS "cancelRequestedAt", t.now
       FROM jobs, t WHERE state = 'running' AND lease_expires_at < t.now
       ORDER BY lease_expires_at LIMIT $2 FOR UPDATE OF jobs SKIP LOCKED`,
      [now ?? null, limit],
    );
    const result: RescueResult = { requeued: [], failed: [] };
    const requeues = [];
    for (const job of rows) {
      const lost = lostAttemptEnding(job, job.now);
      if (lost.requeue) {
        requeues.push({ requeue: lost.requeue, attempt: lost.attempt });
      } else if (await finishPg(client, lost.finish)) {
        await recordAttemptPg(client, job.id, lost.attempt);
        result.failed.push(job.id);
      }
    }
    const moved = await requeueJobsPg(client, requeues);
    result.requeued = requeues.map((r) => r.requeue.id).filter((id) => moved.has(id));
    return result;
  });
}

/** Deletes results selected by `selectIds` ($1.. params) in chunks, each its own transaction. */
async function deleteInChunks(
  pool: pg.Pool,
  selectIds: string,
  params: unknown[],
  chunk = 5000,
): Promise<number> {
  let total = 0;
  for (;;) {
    const n = await withTransaction(pool, async (client) => {
      const { rows } = await client.query<{ id: number }>(
        `${selectIds} LIMIT ${chunk} FOR UPDATE SKIP LOCKED`,
        params,
      );
      return deleteResultsPg(
        client,
        rows.map((r) => r.id),
      );
    });
    total += n;
    if (n < chunk) return total;
  }
}

/** pruneResults on PostgreSQL (the success count is the sum of the counters' shards). */
export async function pruneResultsPg(
  pool: pg.Pool,
  retention: Retention,
  now?: number,
): Promise<{ successes: number; failures: number }> {
  const at = now ?? (await dbNow(pool));
  let successes = 0;
  let failures = 0;
  if (retention.saveLimit !== 0) {
    const keep = Math.max(0, retention.saveLimit);
    const { rows } = await pool.query<{ count: number }>(
      `SELECT COALESCE(sum(value), 0)::bigint AS count FROM counters WHERE name = 'success'`,
    );
    if ((rows[0]?.count ?? 0) > keep) {
      // The newest row we keep marks the cut; everything older goes.
      const { rows: cuts } = await pool.query<{ stoppedAt: number; id: number }>(
        `SELECT stopped_at AS "stoppedAt", id FROM results WHERE state = 'success'
         ORDER BY stopped_at DESC, id DESC LIMIT 1 OFFSET $1`,
        [keep],
      );
      const c = cuts[0];
      if (c) {
        successes += await deleteInChunks(
          pool,
          `SELECT id FROM results WHERE state = 'success'
             AND (stopped_at < $1 OR (stopped_at = $1 AND id <= $2))`,
          [c.stoppedAt, c.id],
        );
      }
    }
  }
  if (retention.saveDays > 0) {
    successes += await deleteInChunks(
      pool,
      `SELECT id FROM results WHERE state = 'success' AND stopped_at < $1`,
      [at - retention.saveDays * DAY_MS],
    );
  }
  if (retention.failureDays > 0) {
    failures += await deleteInChunks(
      pool,
      `SELECT id FROM results WHERE state = 'failure' AND stopped_at < $1`,
      [at - retention.failureDays * DAY_MS],
    );
  }
  return { successes, failures };
}

/**
 * pruneHousekeeping on PostgreSQL: old per-minute stats and stopped workers' rows go, then the
 * counters' shards are folded (jobdeck_fold_counts, docs/POSTGRES.md) so their sums stay short.
 */
export async function pruneHousekeepingPg(pool: pg.Pool, now?: number, days = 7): Promise<void> {
  const at = now ?? (await dbNow(pool));
  const cutoff = at - days * DAY_MS;
  await withTransaction(pool, async (client) => {
    await client.query(`DELETE FROM stats_minutely WHERE minute < $1`, [cutoff]);
    await client.query(`DELETE FROM workers WHERE last_heartbeat_at < $1`, [cutoff]);
  });
  await pool.query(`SELECT jobdeck_fold_counts()`);
}

/**
 * syncTaskCatalog on PostgreSQL: one upsert of every task (in name order, so two workers syncing
 * at once never deadlock), then this pool's catalog is read afresh.
 */
export async function syncTaskCatalogPg(pool: pg.Pool, tasks: TaskInfo[]): Promise<void> {
  // A name given twice: the last one wins, as row by row on SQLite.
  const byName = new Map(tasks.map((t) => [t.name, t]));
  const sorted = [...byName.values()].sort((a, b) =>
    a.name < b.name ? -1 : a.name > b.name ? 1 : 0,
  );
  await pool.query(
    `INSERT INTO tasks (name, description, example_args, args_schema, is_builtin, updated_at)
     SELECT t.name, t.description, t.example_args, t.args_schema, t.is_builtin, ${DB_NOW_MS}
     FROM unnest($1::text[], $2::text[], $3::text[], $4::text[], $5::boolean[])
       WITH ORDINALITY AS t(name, description, example_args, args_schema, is_builtin, ord)
     ORDER BY t.ord
     ON CONFLICT (name) DO UPDATE SET description = excluded.description,
       example_args = excluded.example_args, args_schema = excluded.args_schema,
       is_builtin = excluded.is_builtin, updated_at = excluded.updated_at`,
    [
      sorted.map((t) => t.name),
      sorted.map((t) => t.description),
      sorted.map((t) => t.exampleArgs),
      sorted.map((t) => t.argsSchema ?? null),
      sorted.map((t) => t.isBuiltin),
    ],
  );
  await loadCatalog(pool);
}
