/**
 * The SQL of db/lifecycle.ts's transitions (SQLite), prepared once per connection: which columns
 * a finished job keeps (one list for the single-row and the set-wise insert), the hook rule, the
 * attempt rows, requeue, unclaim, cancel and retry statements.
 */
import type Database from "better-sqlite3";
import { DEFAULT_MAX_ATTEMPTS } from "./queries/enqueue";
import { NEXT_JOB_ID, type JobValues } from "./queries/insert-jobs";

/** JobValues set anew for every job, a retry's too, rather than kept as a setting. */
type PerEnqueue = "run_at" | "created_at" | "retry_of";
/** A per-job setting: chosen at enqueue, kept in `results`, carried over by a retry. */
export type JobSetting = Exclude<keyof JobValues, PerEnqueue>;

/*
 * Every setting, as a Record so that a new JobValues column is a compile error here until it is
 * kept in `results` (add the column) or named in PerEnqueue.
 */
const KEPT: Record<JobSetting, true> = {
  name: true,
  task: true,
  args: true,
  queue: true,
  priority: true,
  group_name: true,
  unique_key: true,
  max_attempts: true,
  timeout_ms: true,
  hook: true,
  schedule_id: true,
};
/** The per-job settings, as `jobs` and `results` columns. */
export const JOB_SETTINGS = Object.keys(KEPT) as JobSetting[];

/** Columns a results row copies from the job (both dialects). */
export const COPIED = ["id", ...JOB_SETTINGS, "created_at", "attempts", "retry_of"];
/** Columns of a results row that say how the job ended. */
type OutcomeColumn =
  | "state"
  | "result"
  | "error"
  | "error_stack"
  | "started_at"
  | "stopped_at"
  | "duration_ms"
  | "worker_id"
  // What the failure groups key on (db/queries/failure-groups.ts); NULL for a success.
  | "error_fingerprint";

/** An INSERT into `results` of the jobs `alias` in `from` matching `where`. */
function insertResultSql(
  from: string,
  alias: string,
  outcome: Record<OutcomeColumn, string>,
  where: string,
): string {
  const columns = [...COPIED, ...Object.keys(outcome)].join(", ");
  const values = [...COPIED.map((c) => `${alias}${c}`), ...Object.values(outcome)].join(", ");
  return `INSERT INTO results (${columns}) SELECT ${values} FROM ${from} WHERE ${where}`;
}

/** One job ends: it must be in state @from, held by @token (NULL for a queued job). */
const FINISH_ONE = `${insertResultSql(
  "jobs",
  "",
  {
    state: "@state",
    result: "@result",
    error: "@error",
    error_stack: "@stack",
    started_at: "@startedAt",
    stopped_at: "@stoppedAt",
    duration_ms: "@stoppedAt - @startedAt",
    worker_id: "@worker",
    error_fingerprint: "jobdeck_error_fingerprint(@error)",
  },
  "id = @id AND state = @from AND claim_token IS @token",
)} RETURNING hook`;

/*
 * Successes are written set-wise: one statement per batch, not three per job. The batch is a JSON
 * array of SuccessRow; a row is written only while its claim still holds the job (RETURNING tells
 * which did), then the same ids leave the live queue and get their attempt row.
 */
const FINISH_SUCCESSES = `${insertResultSql(
  "json_each(@batch) AS x JOIN jobs AS j ON j.id = x.value ->> 0",
  "j.",
  {
    state: "'success'",
    result: "x.value ->> 4",
    error: "NULL",
    error_stack: "NULL",
    started_at: "x.value ->> 2",
    stopped_at: "x.value ->> 3",
    duration_ms: "(x.value ->> 3) - (x.value ->> 2)",
    worker_id: "@worker",
    error_fingerprint: "NULL",
  },
  "j.claim_token = x.value ->> 1 AND j.state = 'running'",
)} RETURNING id`;

/**
 * The hook rule, for one ended job or a batch (a JSON array of ids of results rows): each one
 * with a hook gets a job of the hook's task on its queue, created when it stopped. Ids follow
 * NEXT_JOB_ID (see insert-jobs.ts), read once, in the order of the ended jobs' ids.
 */
const ENQUEUE_HOOKS = `WITH next(id) AS MATERIALIZED (SELECT ${NEXT_JOB_ID})
  INSERT INTO jobs (id, id_scheme, task, args, queue, priority, state, attempts, run_at, created_at,
    max_attempts)
  SELECT next.id - 1 + row_number() OVER (ORDER BY r.id), 1, r.hook,
    CASE r.state
      WHEN 'success' THEN json_object('jobId', r.id, 'task', r.task, 'state', 'success', 'result', json(r.result))
      ELSE json_object('jobId', r.id, 'task', r.task, 'state', r.state, 'error', r.error)
    END,
    r.queue, 0, 'queued', 0, r.stopped_at, r.stopped_at, ${DEFAULT_MAX_ATTEMPTS}
  FROM next, results AS r
  WHERE r.id IN (SELECT value FROM json_each(?)) AND r.hook IS NOT NULL`;

const RECORD_ATTEMPT = `INSERT INTO attempts (job_id, attempt, worker_id, outcome, started_at,
    stopped_at, duration_ms, error, error_stack)
  VALUES (@id, @attempt, @worker, @outcome, @startedAt, @stoppedAt, @stoppedAt - @startedAt, @error, @stack)`;

const RECORD_SUCCESS_ATTEMPTS = `INSERT INTO attempts (job_id, attempt, worker_id, outcome, started_at,
    stopped_at, duration_ms)
  SELECT x.value ->> 0, x.value ->> 5, @worker, 'success', x.value ->> 2, x.value ->> 3,
    (x.value ->> 3) - (x.value ->> 2)
  FROM json_each(@batch) AS x`;

/** The transitions' statements on one connection. */
export function prepareLifecycle(sqlite: Database.Database) {
  return {
    finishOne: sqlite.prepare(FINISH_ONE),
    removeOne: sqlite.prepare(
      `DELETE FROM jobs WHERE id = @id AND state = @from AND claim_token IS @token`,
    ),
    finishSuccesses: sqlite.prepare(FINISH_SUCCESSES).pluck(),
    removeRunning: sqlite.prepare(
      `DELETE FROM jobs WHERE id IN (SELECT value FROM json_each(?)) AND state = 'running'`,
    ),
    enqueueHooks: sqlite.prepare(ENQUEUE_HOOKS),
    recordAttempt: sqlite.prepare(RECORD_ATTEMPT),
    recordSuccessAttempts: sqlite.prepare(RECORD_SUCCESS_ATTEMPTS),
    requeue: sqlite.prepare(
      `UPDATE jobs SET state = 'queued', run_at = @runAt, locked_by = NULL, locked_at = NULL,
         lease_expires_at = NULL, claim_token = NULL, last_error = @error, progress = NULL,
         progress_message = NULL
       WHERE id = @id AND claim_token = @token AND state = 'running'`,
    ),
    // A job claimed but never started goes back as if never claimed: no attempt is counted.
    unclaim: sqlite.prepare(
      `UPDATE jobs SET state = 'queued', attempts = attempts - 1, locked_by = NULL, locked_at = NULL,
         lease_expires_at = NULL, claim_token = NULL, started_at = NULL,
         first_started_at = CASE WHEN attempts = 1 THEN NULL ELSE first_started_at END
       WHERE id = ? AND claim_token = ? AND state = 'running'`,
    ),
    requestCancel: sqlite.prepare(
      `UPDATE jobs SET cancel_requested_at = @now
       WHERE id = @id AND state = 'running' AND cancel_requested_at IS NULL`,
    ),
    liveState: sqlite.prepare(`SELECT state FROM jobs WHERE id = ?`).pluck(),
    retrySource: sqlite.prepare(
      `SELECT id, ${JOB_SETTINGS.join(", ")} FROM results
       WHERE id = ? AND state = 'failure' AND retried_as IS NULL`,
    ),
    linkRetry: sqlite.prepare(
      `UPDATE results SET retried_as = ?, retried_at = ? WHERE id = ? AND retried_as IS NULL`,
    ),
    forgetResult: sqlite.prepare(`DELETE FROM results WHERE id = ?`),
    forgetAttempts: sqlite.prepare(`DELETE FROM attempts WHERE job_id = ?`),
  };
}
