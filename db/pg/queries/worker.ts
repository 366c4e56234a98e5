/**
 * The worker store's statements on PostgreSQL beside the claim and outcome SQL of db/pg/claim.ts:
 * hand back unstarted jobs, release at shutdown, progress, the idle worker's reads. What each
 * writes is db/lifecycle.ts's and db/queries/claim.ts's (releasedJob); only the SQL is here.
 * Times come from the database's clock.
 */
import { releasedJob, type ClaimedJob } from "../../queries/claim";
import type { ProgressReport } from "../../store/worker";
import { requeueJobsPg } from "../claim";
import { DB_NOW_MS, dbNow, type Queryable } from "../client";
import { notifyQueuesPg } from "./enqueue";

/**
 * Hands claimed jobs that never started back to the queue as if never claimed (no attempt
 * counted; db/lifecycle-sql.ts's unclaim), token-checked; announces their queues. Returns how many.
 */
export async function unclaimJobsPg(db: Queryable, jobs: readonly ClaimedJob[]): Promise<number> {
  if (jobs.length === 0) return 0;
  const { rows } = await db.query<{ queue: string }>(
    `UPDATE jobs AS j SET state = 'queued', attempts = j.attempts - 1, locked_by = NULL,
       locked_at = NULL, lease_expires_at = NULL, claim_token = NULL, started_at = NULL,
       first_started_at = CASE WHEN j.attempts = 1 THEN NULL ELSE j.first_started_at END
     FROM unnest($1::bigint[], $2::text[]) AS b(id, token)
     WHERE j.id = b.id AND j.claim_token = b.token AND j.state = 'running'
     RETURNING j.queue`,
    [jobs.map((j) => j.id), jobs.map((j) => j.claimToken)],
  );
  await notifyQueuesPg(
    db,
    rows.map((r) => r.queue),
  );
  return rows.length;
}

/** Puts jobs `workerId` still holds back in the queue now (shutdown); their attempts are lost. */
export async function releaseJobsPg(
  db: Queryable,
  workerId: string,
  jobs: readonly ClaimedJob[],
  now?: number,
): Promise<number> {
  if (jobs.length === 0) return 0;
  const at = now ?? (await dbNow(db));
  const moved = await requeueJobsPg(
    db,
    jobs.map((job) => releasedJob(job, workerId, at)),
  );
  return moved.size;
}

/** Writes the latest progress of running jobs, each only while its token still holds the job. */
export async function writeProgressPg(
  db: Queryable,
  progress: readonly ProgressReport[],
): Promise<void> {
  if (progress.length === 0) return;
  await db.query(
    `UPDATE jobs AS j SET progress = p.value, progress_message = p.message
     FROM unnest($1::bigint[], $2::text[], $3::float8[], $4::text[]) AS p(id, token, value, message)
     WHERE j.id = p.id AND j.claim_token = p.token AND j.state = 'running'`,
    [
      progress.map((p) => p.id),
      progress.map((p) => p.token),
      progress.map((p) => p.value),
      progress.map((p) => p.message),
    ],
  );
}

/** True when a queued job (in `queues`, null or empty = any) is due by the database's clock. */
export async function hasDueJobsPg(db: Queryable, queues: string[] | null): Promise<boolean> {
  const byQueue = queues !== null && queues.length > 0;
  const { rows } = await db.query<{ due: boolean }>(
    `SELECT EXISTS (SELECT 1 FROM jobs WHERE state = 'queued' AND run_at <= ${DB_NOW_MS}
       ${byQueue ? "AND queue = ANY($1::text[])" : ""}) AS due`,
    byQueue ? [queues] : [],
  );
  return rows[0]?.due === true;
}

/** The earliest run_at of a queued job created to run later (jobs_due_idx), or null. */
export async function nextRunAtPg(db: Queryable): Promise<number | null> {
  const { rows } = await db.query<{ runAt: number }>(
    `SELECT run_at AS "runAt" FROM jobs WHERE state = 'queued' AND run_at > created_at
     ORDER BY run_at LIMIT 1`,
  );
  return rows[0]?.runAt ?? null;
}

/** Ids of `workerId`'s running jobs someone asked to cancel. */
export async function cancelRequestsPg(db: Queryable, workerId: string): Promise<number[]> {
  const { rows } = await db.query<{ id: number }>(
    `SELECT id FROM jobs WHERE state = 'running' AND locked_by = $1
       AND cancel_requested_at IS NOT NULL ORDER BY id`,
    [workerId],
  );
  return rows.map((r) => r.id);
}
