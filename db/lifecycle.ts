/**
 * Every transition of a job, in one place: finish, requeue (with backoff, or at once), lose an
 * attempt (lease expired), hand back unstarted, cancel, retry, and forget a finished job. Claim's
 * write round, upkeep's lease rescue and retention, the dashboard's actions and the CLI all come
 * here, so each fact (the columns a finished job keeps, when its hook runs) is written once.
 *
 * How a job ends. Each ending moves the job from `jobs` to one `results` row with the same id
 * (whose insert triggers keep `counters`, `stats_minutely` and `failure_groups`), and enqueues the
 * job's `hook`, if it has one, exactly once: a job of task `hook` on the job's queue, with
 * `{ jobId, task, state, result }` (success) or `{ jobId, task, state, error }` (failure).
 *
 * | ending                                  | ended by                        | results row                              | attempt row |
 * | --------------------------------------- | ------------------------------- | ---------------------------------------- | ----------- |
 * | success                                 | the worker's write round        | success, `result`                        | success     |
 * | final failure (last attempt, or a       | the worker's write round        | failure, `error`, `error_stack`          | error       |
 * |   PermanentError)                       |                                 |                                          |             |
 * | timeout on the last attempt             | the worker's write round        | failure, "Timed out after … s …"         | timeout     |
 * | lost by lease expiry, attempts used up  | lease rescue (any worker)       | failure, "Lost: worker … ", `worker_id`  | lost        |
 * |                                         |                                 |   the worker that lost it                |             |
 * | cancelled while queued                  | the dashboard (cancelQueuedJob) | failure, "Cancelled by <actor>", no      | none: it    |
 * |                                         |                                 |   start, duration or worker              | did not run |
 * | cancelled while running (or claimed and | the worker holding it, asked by | failure, "Cancelled on request: …"       | cancelled   |
 * |   not started)                          |   requestCancel                 |                                          |             |
 * | cancel asked, then lost by lease expiry | lease rescue                    | failure, "Cancelled on request: …"       | lost        |
 *
 * Every results row copies the job's id, its settings (JOB_SETTINGS), `created_at`, `attempts`
 * and `retry_of` from `jobs`; the ending supplies the rest (OutcomeColumn).
 *
 * Not endings: a retry with backoff, or a lease rescue with attempts left (requeue: back to
 * queued, the attempt recorded as error, timeout or lost); a release at worker shutdown (requeue
 * now, attempt lost); a claimed job handed back unstarted (unclaim, no attempt). Retention and
 * the dashboard's delete forget jobs that already ended (forgetResult): their rows go, counters
 * and failure groups go down by trigger, and no hook runs (it ran when the job ended).
 */
import type Database from "better-sqlite3";
import type { Db } from "./client";
import { MAX_ERROR_CHARS, MAX_STACK_CHARS, truncateText } from "./limits";
import { DEFAULT_MAX_ATTEMPTS } from "./queries/enqueue";
import { insertJobs, NEXT_JOB_ID, type JobValues } from "./queries/insert-jobs";
import type { AttemptOutcome, JobState, ResultState } from "./schema";

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

/** Columns a results row copies from the job. */
const COPIED = ["id", ...JOB_SETTINGS, "created_at", "attempts", "retry_of"];
/** Columns of a results row that say how the job ended. */
type OutcomeColumn =
  | "state"
  | "result"
  | "error"
  | "error_stack"
  | "started_at"
  | "stopped_at"
  | "duration_ms"
  | "worker_id";

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

function prepare(sqlite: Database.Database) {
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

/** How a job ends: its results row, beyond what it copies from the job. */
export interface Finish {
  id: number;
  /** Where the job is: running (held by `token`) or queued (`token` null). */
  from: JobState;
  token: string | null;
  state: ResultState;
  /** The task's JSON result (success). */
  result: string | null;
  error: string | null;
  stack: string | null;
  /** When the ending attempt started (null: the job was not running). */
  startedAt: number | null;
  stoppedAt: number;
  worker: string | null;
}

/** A finished or lost attempt: its row in `attempts`. */
export interface AttemptEnd {
  attempt: number;
  outcome: AttemptOutcome;
  worker: string | null;
  startedAt: number;
  stoppedAt: number;
  error: string | null;
  stack: string | null;
}

/** Back to the queue: a retry (`runAt` after a backoff), a rescue or a release (now). */
export interface Requeue {
  id: number;
  token: string;
  runAt: number;
  /** Shown on the queued job as its last error. */
  error: string;
}

/** A running job whose worker stopped renewing its lease, as the rescue sweep finds it. */
export interface LostJob {
  id: number;
  attempts: number;
  maxAttempts: number;
  lockedBy: string | null;
  lockedAt: number | null;
  claimToken: string;
  startedAt: number | null;
  cancelRequestedAt: number | null;
}

/**
 * One success of a batch: [id, claim token, started at, stopped at, JSON result, attempt]. The
 * token and result may be null in the attempts' copy of the batch (they are not read there).
 */
export type SuccessRow = [
  id: number,
  token: string | null,
  startedAt: number,
  stoppedAt: number,
  result: string | null,
  attempt: number,
];

/** Outcome of a cancel request. */
export type CancelOutcome = "cancelled" | "requested" | "already-requested" | "not-found";

/** What a retry did: the new job of each retried failure, and the ids skipped (gone or already retried). */
export interface RetryResult {
  retried: { failureId: number; jobId: number }[];
  skipped: number[];
}

type RetrySource = { id: number } & Omit<Pick<JobValues, JobSetting>, "max_attempts"> & {
    max_attempts: number | null;
  };

function cut(text: string | null, max: number): string | null {
  return text === null ? null : truncateText(text, max);
}

/**
 * The transitions bound to one connection, with their statements prepared once. They write
 * inside the caller's transaction (the worker's write round, the sweep, an action with its
 * audit entry); the functions below this one open their own when called alone.
 */
export function createLifecycle(db: Db) {
  const s = prepare(db.$client);

  function recordAttempt(id: number, a: AttemptEnd): void {
    s.recordAttempt.run({
      id,
      attempt: a.attempt,
      worker: a.worker,
      outcome: a.outcome,
      startedAt: a.startedAt,
      stoppedAt: a.stoppedAt,
      error: cut(a.error, MAX_ERROR_CHARS),
      stack: cut(a.stack, MAX_STACK_CHARS),
    });
  }

  /**
   * Ends one job: its results row, its removal from the queue, the attempt row (when an attempt
   * ended with it) and its hook. False when the job is no longer where `f` says (a lost lease,
   * a queued job claimed meanwhile): nothing is written.
   */
  function finish(f: Finish, attempt: AttemptEnd | null): boolean {
    const written = s.finishOne.get({
      id: f.id,
      from: f.from,
      token: f.token,
      state: f.state,
      result: f.result,
      error: cut(f.error, MAX_ERROR_CHARS),
      stack: cut(f.stack, MAX_STACK_CHARS),
      startedAt: f.startedAt,
      stoppedAt: f.stoppedAt,
      worker: f.worker,
    }) as { hook: string | null } | undefined;
    if (!written) return false;
    s.removeOne.run({ id: f.id, from: f.from, token: f.token });
    if (attempt) recordAttempt(f.id, attempt);
    if (written.hook !== null) s.enqueueHooks.run(`[${f.id}]`);
    return true;
  }

  /**
   * Ends a batch of running jobs as successes, set-wise (FINISH_SUCCESSES, then one DELETE, one
   * attempts INSERT and, when `anyHook` says some job has a hook, one hooks INSERT); returns the
   * ids written (the others' leases were lost).
   */
  function finishSuccesses(worker: string, rows: SuccessRow[], anyHook: boolean): Set<number> {
    const batch = JSON.stringify(rows);
    const ids = s.finishSuccesses.all({ batch, worker }) as number[];
    const written = new Set(ids);
    if (ids.length === 0) return written;
    const idList = JSON.stringify(ids);
    s.removeRunning.run(idList);
    const attempts =
      ids.length === rows.length
        ? batch
        : JSON.stringify(
            rows
              .filter((r) => written.has(r[0]))
              .map((r): SuccessRow => [r[0], null, r[2], r[3], null, r[5]]),
          );
    s.recordSuccessAttempts.run({ batch: attempts, worker });
    if (anyHook) s.enqueueHooks.run(idList);
    return written;
  }

  /** Puts a running job back in the queue and records the attempt; false if its lease was lost. */
  function requeue(r: Requeue, attempt: AttemptEnd | null): boolean {
    const moved = s.requeue.run({
      id: r.id,
      token: r.token,
      runAt: r.runAt,
      error: cut(r.error, MAX_ERROR_CHARS),
    });
    if (moved.changes === 0) return false;
    if (attempt) recordAttempt(r.id, attempt);
    return true;
  }

  /**
   * Records the attempt of a job whose lease expired as lost; the job goes back to the queue at
   * once, or ends as a failure when its attempts are spent or a cancel was asked (it is not run
   * again). Returns which, or null if the job moved meanwhile.
   */
  function loseAttempt(job: LostJob, now: number): "requeued" | "failed" | null {
    const startedAt = Math.min(job.startedAt ?? job.lockedAt ?? now, now);
    const lost = `worker ${job.lockedBy ?? "?"} stopped renewing its lease (it crashed, was killed or stalled) during attempt ${job.attempts}`;
    const isCancelled = job.cancelRequestedAt !== null;
    const error = isCancelled ? `Cancelled on request: ${lost}` : `Lost: ${lost}`;
    const attempt: AttemptEnd = {
      attempt: job.attempts,
      outcome: "lost",
      worker: job.lockedBy,
      startedAt,
      stoppedAt: now,
      error,
      stack: null,
    };
    if (!isCancelled && job.attempts < job.maxAttempts) {
      const isRequeued = requeue({ id: job.id, token: job.claimToken, runAt: now, error }, attempt);
      return isRequeued ? "requeued" : null;
    }
    const ended = {
      id: job.id,
      from: "running",
      token: job.claimToken,
      state: "failure",
      result: null,
      error,
      stack: null,
      startedAt,
      stoppedAt: now,
      worker: job.lockedBy,
    } as const;
    return finish(ended, attempt) ? "failed" : null;
  }

  /** Hands a claimed job that never started back, uncounted; false if its lease was lost. */
  function unclaim(id: number, token: string): boolean {
    return s.unclaim.run(id, token).changes > 0;
  }

  /** Ends a queued job as a failure "Cancelled by <actor>" (no attempt: it did not run). */
  function cancelQueued(id: number, actor: string, now: number): CancelOutcome {
    const cancelled = finish(
      {
        id,
        from: "queued",
        token: null,
        state: "failure",
        result: null,
        error: `Cancelled by ${actor}`,
        stack: null,
        startedAt: null,
        stoppedAt: now,
        worker: null,
      },
      null,
    );
    return cancelled ? "cancelled" : "not-found";
  }

  /** Asks a running job to stop; the worker holding it ends it as cancelled. */
  function requestCancel(id: number, now: number): CancelOutcome {
    if (s.requestCancel.run({ id, now }).changes > 0) return "requested";
    return s.liveState.get(id) === "running" ? "already-requested" : "not-found";
  }

  /** A new job for a failure, with every setting of the failed job; null if not retryable. */
  function retry(failureId: number, now: number): number | null {
    const f = s.retrySource.get(failureId) as RetrySource | undefined;
    if (!f) return null;
    const { id, max_attempts, ...settings } = f;
    const row: JobValues = {
      ...settings,
      // Finished before results kept the setting: the enqueue default.
      max_attempts: max_attempts ?? DEFAULT_MAX_ATTEMPTS,
      run_at: now,
      created_at: now,
      retry_of: id,
    };
    // A live job holding the same unique key stands for the retry: enqueue returns its id.
    const [jobId] = insertJobs(db, [row]);
    s.linkRetry.run(jobId, now, id);
    return jobId!;
  }

  /** Deletes a finished job's results row and attempts; false if it was gone. */
  function forgetResult(id: number): boolean {
    if (s.forgetResult.run(id).changes === 0) return false;
    s.forgetAttempts.run(id);
    return true;
  }

  return {
    finish,
    finishSuccesses,
    requeue,
    recordAttempt,
    loseAttempt,
    unclaim,
    cancelQueued,
    requestCancel,
    retry,
    forgetResult,
  };
}

/** The transitions of one connection. */
export type Lifecycle = ReturnType<typeof createLifecycle>;

const bound = new WeakMap<Database.Database, Lifecycle>();

/** The transitions of `db`'s connection, prepared on first use. */
export function lifecycleOf(db: Db): Lifecycle {
  let life = bound.get(db.$client);
  if (!life) {
    life = createLifecycle(db);
    bound.set(db.$client, life);
  }
  return life;
}

/**
 * Cancels a queued job: it ends as a failure "Cancelled by <actor>" (retryable like any failure),
 * and its hook runs, in one IMMEDIATE transaction (or the caller's). A job claimed meanwhile is
 * left alone ("not-found"): ask it to cancel with requestCancel instead.
 */
export function cancelQueuedJob(
  db: Db,
  id: number,
  actor: string,
  now = Date.now(),
): CancelOutcome {
  const life = lifecycleOf(db);
  return db.$client.transaction(() => life.cancelQueued(id, actor, now)).immediate();
}

/** Asks a running job to stop: sets cancel_requested_at; the worker holding it aborts the run. */
export function requestCancel(db: Db, id: number, now = Date.now()): CancelOutcome {
  return lifecycleOf(db).requestCancel(id, now);
}

/**
 * Retries failures by id in one IMMEDIATE transaction: each gets a new job with every setting of
 * the failed one (JOB_SETTINGS), linked both ways (`retry_of`, `retried_as`), so a second retry
 * of the same failure finds it retried and creates nothing.
 */
export function retryFailedJobs(db: Db, failureIds: number[]): RetryResult {
  const life = lifecycleOf(db);
  return db.$client
    .transaction((): RetryResult => {
      const now = Date.now();
      const out: RetryResult = { retried: [], skipped: [] };
      for (const failureId of new Set(failureIds)) {
        const jobId = life.retry(failureId, now);
        if (jobId === null) out.skipped.push(failureId);
        else out.retried.push({ failureId, jobId });
      }
      return out;
    })
    .immediate();
}

/** Deletes results (and their attempts) by id in one IMMEDIATE transaction; returns how many. */
export function deleteResults(db: Db, ids: number[]): number {
  const life = lifecycleOf(db);
  return db.$client
    .transaction(() => {
      let n = 0;
      for (const id of new Set(ids)) if (life.forgetResult(id)) n++;
      return n;
    })
    .immediate();
}
