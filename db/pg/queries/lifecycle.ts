/**
 * The dashboard's job transitions on PostgreSQL: cancel a queued job, ask a running one to stop,
 * retry failures, forget results. What each writes is decided by db/lifecycle.ts (cancelledQueued,
 * retryJobValues, JOB_SETTINGS, the results columns COPIED); the hook rule's SQL is
 * `enqueueHooksSql`, shared with the worker's endings in db/pg/claim.ts. Only the SQL is here.
 *
 * Exactly once: an ending is one statement whose DELETE from `jobs` decides whether this caller
 * ends the job (a claim or another cancel that got there first leaves nothing to delete), and the
 * same statement writes the results row and the hook's job. A retry locks its failures
 * (`FOR UPDATE`, in id order), so two retries of one failure create one job.
 */
import { COPIED } from "../../lifecycle-sql";
import {
  JOB_SETTINGS,
  retryJobValues,
  type CancelOutcome,
  type Finish,
  type RetryResult,
  type RetrySource,
} from "../../lifecycle";
import { MAX_ERROR_CHARS, MAX_STACK_CHARS, truncateText } from "../../limits";
import { DEFAULT_MAX_ATTEMPTS } from "../../queries/enqueue";
import { errorFingerprint } from "../../queries/failure-groups";
import { DB_NOW_MS, type Queryable } from "../client";
import { insertJobsPg, notifyQueuesPg } from "./enqueue";

/**
 * The hook rule (db/lifecycle.ts) as an INSERT over the ended jobs `from` (a CTE with the columns
 * id, task, queue, hook, state, result, error, stopped): each one with a hook gets a job of the
 * hook's task on its queue, created when it stopped, with `{ jobId, task, state, result }` on a
 * success and `{ jobId, task, state, error }` otherwise.
 */
export function enqueueHooksSql(from: string): string {
  return `INSERT INTO jobs (task, args, queue, priority, state, attempts, run_at, created_at, max_attempts)
    SELECT hook, CASE state
        WHEN 'success' THEN json_build_object('jobId', id, 'task', task, 'state', state,
          'result', result::json)
        ELSE json_build_object('jobId', id, 'task', task, 'state', state, 'error', error) END::text,
      queue, 0, 'queued', 0, stopped, stopped, ${DEFAULT_MAX_ATTEMPTS}
    FROM ${from} WHERE hook IS NOT NULL ORDER BY id`;
}

/** One ending: $1 id, $2 from state, $3 token; $4.. the outcome. Returns the id when it ended the job. */
const FINISH_ONE = `WITH done AS (
    DELETE FROM jobs WHERE id = $1 AND state = $2 AND claim_token IS NOT DISTINCT FROM $3
    RETURNING ${COPIED.join(", ")}
  ), ending AS (
    SELECT done.*, $4::text AS state, $5::text AS result, $6::text AS error, $7::text AS stack,
      $8::bigint AS started, $9::bigint AS stopped, $10::text AS worker, $11::text AS fingerprint
    FROM done
  ), ended AS (
    INSERT INTO results (${COPIED.join(", ")}, state, result, error, error_stack, started_at,
      stopped_at, duration_ms, worker_id, error_fingerprint)
    SELECT ${COPIED.join(", ")}, state, result, error, stack, started, stopped, stopped - started,
      worker, fingerprint FROM ending
  ), hooks AS (${enqueueHooksSql("ending")})
  SELECT id, hook, queue FROM done`;

function cut(text: string | null, max: number): string | null {
  return text === null ? null : truncateText(text, max);
}

/** Ends one job as `f` says (no attempt row); false when it is no longer where `f` says. */
export async function finishPg(db: Queryable, f: Finish): Promise<boolean> {
  const error = cut(f.error, MAX_ERROR_CHARS);
  const { rows } = await db.query<{ hook: string | null; queue: string }>(FINISH_ONE, [
    f.id,
    f.from,
    f.token,
    f.state,
    f.result,
    error,
    cut(f.stack, MAX_STACK_CHARS),
    f.startedAt,
    f.stoppedAt,
    f.worker,
    errorFingerprint(error),
  ]);
  // The hook's job wakes idle workers like any enqueue.
  if (rows[0]?.hook) await notifyQueuesPg(db, [rows[0].queue]);
  return rows.length > 0;
}

/** Asks a running job to stop: sets cancel_requested_at; the worker holding it aborts the run. */
export async function requestCancelPg(
  db: Queryable,
  id: number,
  now: number | null,
): Promise<CancelOutcome> {
  const { rowCount } = await db.query(
    `UPDATE jobs SET cancel_requested_at = COALESCE($2::bigint, ${DB_NOW_MS})
     WHERE id = $1 AND state = 'running' AND cancel_requested_at IS NULL`,
    [id, now],
  );
  if (rowCount) return "requested";
  const { rows } = await db.query<{ state: string }>(`SELECT state FROM jobs WHERE id = $1`, [id]);
  return rows[0]?.state === "running" ? "already-requested" : "not-found";
}

/**
 * Retries failures by id inside the caller's transaction: each gets a new job with every setting
 * of the failed one, linked both ways (`retry_of`, `retried_as`); gone or already retried ones
 * are skipped. New jobs are made in input order.
 */
export async function retryFailedPg(
  db: Queryable,
  failureIds: number[],
  now: number,
): Promise<RetryResult> {
  const ids = [...new Set(failureIds)];
  const out: RetryResult = { retried: [], skipped: [] };
  if (ids.length === 0) return out;
  const { rows } = await db.query<RetrySource>(
    `SELECT id, ${JOB_SETTINGS.join(", ")} FROM results
     WHERE id = ANY($1::bigint[]) AND state = 'failure' AND retried_as IS NULL
     ORDER BY id FOR UPDATE`,
    [ids],
  );
  const sources = new Map(rows.map((r) => [r.id, r]));
  const retried = ids.filter((id) => sources.has(id));
  // A live job holding the same unique key stands for the retry: enqueue returns its id.
  const jobIds = await insertJobsPg(
    db,
    retried.map((id) => retryJobValues(sources.get(id)!, now)),
  );
  if (retried.length > 0) {
    await db.query(
      `UPDATE results AS r SET retried_as = x.job_id, retried_at = $3
       FROM unnest($1::bigint[], $2::bigint[]) AS x(id, job_id)
       WHERE r.id = x.id AND r.retried_as IS NULL`,
      [retried, jobIds, now],
    );
  }
  const jobOf = new Map(retried.map((id, k) => [id, jobIds[k]!]));
  for (const id of ids) {
    const jobId = jobOf.get(id);
    if (jobId === undefined) out.skipped.push(id);
    else out.retried.push({ failureId: id, jobId });
  }
  return out;
}

/** Deletes results (and their attempts) by id inside the caller's transaction; returns how many. */
export async function deleteResultsPg(db: Queryable, ids: number[]): Promise<number> {
  const unique = [...new Set(ids)];
  if (unique.length === 0) return 0;
  const { rows } = await db.query<{ id: number }>(
    `WITH gone AS (DELETE FROM results WHERE id = ANY($1::bigint[]) RETURNING id),
       tried AS (DELETE FROM attempts WHERE job_id IN (SELECT id FROM gone))
     SELECT id FROM gone`,
    [unique],
  );
  return rows.length;
}
