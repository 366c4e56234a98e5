/**
 * The worker's hot path on PostgreSQL (issue 17): claim, record outcomes, renew leases. The same
 * rules as db/queries/claim.ts and db/lifecycle.ts on SQLite, in a few set-wise statements:
 * - Claim: one UPDATE over the due rows picked with `FOR UPDATE SKIP LOCKED`, so concurrent
 *   workers on any host take disjoint jobs without waiting on each other; batched (`limit`),
 *   across all queues or several (each queue's first rows from jobs_claim_queue_idx, merged),
 *   in priority, run_at, id order. Claim time and lease come from the database's clock.
 * - Outcomes: every ending (success, final failure) of a batch is ONE statement: the DELETE from
 *   `jobs` carrying the claim token decides which jobs this worker still holds; the same statement
 *   writes their `results`, `attempts`, hooks and the worker's jobs_done. Retries are one UPDATE.
 *   A job whose token no longer matches (its lease was rescued) is reported lost, nothing written.
 * Times in outcomes (startedAt, stoppedAt, retryAt) are on the database's clock: the worker
 * offsets its own by what it learnt at the claim (ClaimedJob.startedAt is the database's time).
 */
import { randomUUID } from "node:crypto";
import type { AttemptEnd, Requeue } from "../lifecycle";
import { COPIED } from "../lifecycle-sql";
import { MAX_ERROR_CHARS, MAX_STACK_CHARS, truncateText } from "../limits";
import { failedAttempt, type ClaimedJob, type LeaseState, type Outcome } from "../queries/claim";
import { errorFingerprint } from "../queries/failure-groups";
import { DB_NOW_MS, type Queryable } from "./client";
import { notifyQueuesPg } from "./queries/enqueue";
import { enqueueHooksSql } from "./queries/lifecycle";

export type { ClaimedJob, LeaseState, Outcome } from "../queries/claim";

const CLAIM_RETURNING = `j.id, j.name, j.task, j.args, j.queue, j.priority, j.attempts,
  j.max_attempts AS "maxAttempts", j.timeout_ms AS "timeoutMs", j.hook,
  j.claim_token AS "claimToken", j.started_at AS "startedAt"`;
const ORDER = `priority DESC, run_at, id`;
const DUE = `state = 'queued' AND run_at <= (SELECT ms FROM now)`;

/** The claim statement: $1 worker, $2 lease ms, $3 token, $4 limit, $5 queues (text[]) if any. */
export function claimSqlPg(byQueue: boolean): string {
  // Several queues: each queue's first rows (jobs_claim_queue_idx, already in claim order), then
  // merged; locking inside the per-queue pick lets SKIP LOCKED step past rows others are taking.
  const pick = byQueue
    ? `SELECT x.id FROM unnest($5::text[]) AS q(name) CROSS JOIN LATERAL (
         SELECT id, priority, run_at FROM jobs WHERE queue = q.name AND ${DUE}
         ORDER BY ${ORDER} LIMIT $4 FOR UPDATE SKIP LOCKED) AS x
       ORDER BY x.priority DESC, x.run_at, x.id LIMIT $4`
    : `SELECT id FROM jobs WHERE ${DUE} ORDER BY ${ORDER} LIMIT $4 FOR UPDATE SKIP LOCKED`;
  return `WITH now AS (SELECT ${DB_NOW_MS} AS ms), picked AS (${pick})
    UPDATE jobs AS j SET state = 'running', locked_by = $1, locked_at = now.ms,
      lease_expires_at = now.ms + $2, claim_token = $3, attempts = j.attempts + 1,
      started_at = now.ms, first_started_at = COALESCE(j.first_started_at, now.ms),
      progress = NULL, progress_message = NULL
    FROM picked, now WHERE j.id = picked.id
    RETURNING ${CLAIM_RETURNING}`;
}

/**
 * Claims up to `limit` due jobs (all queues, or only `queues`) for `workerId` with a lease of
 * `leaseMs`, in claim order (priority, then id, as on SQLite).
 */
export async function claimJobsPg(
  db: Queryable,
  workerId: string,
  limit: number,
  queues: string[] | null,
  leaseMs: number,
): Promise<ClaimedJob[]> {
  if (limit <= 0) return [];
  const byQueue = queues !== null && queues.length > 0;
  const params: unknown[] = [workerId, leaseMs, randomUUID(), limit];
  if (byQueue) params.push(queues);
  const { rows } = await db.query<ClaimedJob>(claimSqlPg(byQueue), params);
  return rows.sort((a, b) => b.priority - a.priority || a.id - b.id);
}

/**
 * Ends a batch of running jobs in one statement. Arrays, one element per job: $1 id, $2 token,
 * $3 state, $4 result, $5 error, $6 stack, $7 fingerprint, $8 started_at, $9 stopped_at,
 * $10 attempt, $11 attempt outcome; $12 worker. Returns the ids it ended.
 */
const FINISH_BATCH = `WITH batch AS (
    SELECT * FROM unnest($1::bigint[], $2::text[], $3::text[], $4::text[], $5::text[], $6::text[],
      $7::text[], $8::bigint[], $9::bigint[], $10::int[], $11::text[])
      AS b(id, token, state, result, error, stack, fingerprint, started, stopped, attempt, outcome)
  ), done AS (
    DELETE FROM jobs AS j USING batch AS b
    WHERE j.id = b.id AND j.claim_token = b.token AND j.state = 'running'
    RETURNING ${COPIED.map((c) => `j.${c}`).join(", ")}, b.state, b.result, b.error, b.stack,
      b.fingerprint, b.started, b.stopped, b.attempt, b.outcome
  ), ended AS (
    INSERT INTO results (${COPIED.join(", ")}, state, result, error, error_stack, started_at,
      stopped_at, duration_ms, worker_id, error_fingerprint)
    SELECT ${COPIED.join(", ")}, state, result, error, stack, started, stopped, stopped - started,
      $12, fingerprint FROM done
  ), tried AS (
    INSERT INTO attempts (job_id, attempt, worker_id, outcome, started_at, stopped_at, duration_ms,
      error, error_stack)
    SELECT id, attempt, $12, outcome, started, stopped, stopped - started, error, stack FROM done
  ), hooks AS (${enqueueHooksSql("done")}
  ), counted AS (
    UPDATE workers SET jobs_done = jobs_done + (SELECT count(*) FROM done)
    WHERE id = $12 AND EXISTS (SELECT 1 FROM done)
  )
  SELECT id FROM done`;

/**
 * Puts running jobs back in the queue with their attempt row. Arrays: $1 id, $2 token, $3 run_at,
 * $4 last error, $5 attempt error, $6 stack, $7 started_at, $8 stopped_at, $9 attempt,
 * $10 attempt outcome, $11 attempt worker. Returns the ids moved and their queues.
 */
const REQUEUE_BATCH = `WITH batch AS (
    SELECT * FROM unnest($1::bigint[], $2::text[], $3::bigint[], $4::text[], $5::text[], $6::text[],
      $7::bigint[], $8::bigint[], $9::int[], $10::text[], $11::text[])
      AS b(id, token, run_at, last_error, error, stack, started, stopped, attempt, outcome, worker)
  ), moved AS (
    UPDATE jobs AS j SET state = 'queued', run_at = b.run_at, locked_by = NULL, locked_at = NULL,
      lease_expires_at = NULL, claim_token = NULL, last_error = b.last_error, progress = NULL,
      progress_message = NULL
    FROM batch AS b WHERE j.id = b.id AND j.claim_token = b.token AND j.state = 'running'
    RETURNING b.*, j.queue
  ), tried AS (
    INSERT INTO attempts (job_id, attempt, worker_id, outcome, started_at, stopped_at, duration_ms,
      error, error_stack)
    SELECT id, attempt, worker, outcome, started, stopped, stopped - started, error, stack FROM moved
  )
  SELECT id, queue FROM moved`;

/**
 * Puts running jobs back in the queue (db/lifecycle.ts's requeue, set-wise): each still held by
 * its token goes back with its attempt row (when given); the others' leases were lost. Announces
 * the queues it put jobs back in (JOBS_CHANNEL). Returns the ids moved.
 */
export async function requeueJobsPg(
  db: Queryable,
  list: readonly { requeue: Requeue; attempt: AttemptEnd }[],
): Promise<Set<number>> {
  if (list.length === 0) return new Set();
  const rows = list.map(({ requeue: r, attempt: a }) => [
    r.id,
    r.token,
    r.runAt,
    cut(r.error, MAX_ERROR_CHARS),
    cut(a.error, MAX_ERROR_CHARS),
    cut(a.stack, MAX_STACK_CHARS),
    a.startedAt,
    a.stoppedAt,
    a.attempt,
    a.outcome,
    a.worker,
  ]);
  const { rows: moved } = await db.query<{ id: number; queue: string }>(
    REQUEUE_BATCH,
    columns(rows, 11),
  );
  await notifyQueuesPg(
    db,
    moved.map((m) => m.queue),
  );
  return new Set(moved.map((m) => m.id));
}

function cut(text: string | null, max: number): string | null {
  return text === null ? null : truncateText(text, max);
}

/** Collects one array per column from `rows`. */
function columns<T extends unknown[]>(rows: T[], width: number): unknown[][] {
  return Array.from({ length: width }, (_, i) => rows.map((r) => r[i]));
}

/**
 * Records a batch of outcomes for `workerId`: endings in one statement, retries in another (each
 * atomic on its own; no transaction spans them, so no lock is held between round trips). Returns
 * the ids whose lease was lost (nothing written for them).
 */
export async function recordOutcomesPg(
  db: Queryable,
  workerId: string,
  outcomes: readonly Outcome[],
): Promise<number[]> {
  const endings: unknown[][] = [];
  const retries: { requeue: Requeue; attempt: AttemptEnd }[] = [];
  const hookQueues = new Map<number, string>();
  for (const o of outcomes) {
    const { job } = o;
    const startedAt = o.startedAt ?? job.startedAt;
    if (job.hook !== null && (o.kind === "success" || o.retryAt === null))
      hookQueues.set(job.id, job.queue);
    if (o.kind === "success") {
      endings.push([
        job.id,
        job.claimToken,
        "success",
        o.result,
        null,
        null,
        null,
        startedAt,
        o.stoppedAt,
        job.attempts,
        "success",
      ]);
      continue;
    }
    if (o.retryAt === null) {
      const error = cut(o.error, MAX_ERROR_CHARS);
      const stack = cut(o.stack, MAX_STACK_CHARS);
      endings.push([
        job.id,
        job.claimToken,
        "failure",
        null,
        error,
        stack,
        errorFingerprint(error),
        startedAt,
        o.stoppedAt,
        job.attempts,
        o.attemptOutcome,
      ]);
    } else {
      retries.push({
        requeue: { id: job.id, token: job.claimToken, runAt: o.retryAt, error: o.error },
        attempt: failedAttempt(o, workerId),
      });
    }
  }
  const written = new Set<number>();
  if (endings.length > 0) {
    const { rows } = await db.query<{ id: number }>(FINISH_BATCH, [
      ...columns(endings, 11),
      workerId,
    ]);
    for (const r of rows) written.add(r.id);
    // The hooks' new jobs wake idle workers like any enqueue (one NOTIFY per queue).
    await notifyQueuesPg(
      db,
      rows.flatMap((r) => hookQueues.get(r.id) ?? []),
    );
  }
  for (const id of await requeueJobsPg(db, retries)) written.add(id);
  return outcomes.map((o) => o.job.id).filter((id) => !written.has(id));
}

/** Renews the lease of every job `workerId` holds (database clock) and reports cancel requests. */
export async function renewLeasesPg(
  db: Queryable,
  workerId: string,
  leaseMs: number,
): Promise<LeaseState> {
  const { rows } = await db.query<{ id: number; token: string; cancel: number | null }>(
    `UPDATE jobs SET lease_expires_at = ${DB_NOW_MS} + $2
     WHERE locked_by = $1 AND state = 'running'
     RETURNING id, claim_token AS token, cancel_requested_at AS cancel`,
    [workerId, leaseMs],
  );
  const held = new Map<number, string>();
  const cancelRequested = new Set<number>();
  for (const r of rows) {
    held.set(r.id, r.token);
    if (r.cancel !== null) cancelRequested.add(r.id);
  }
  return { held, cancelRequested };
}
