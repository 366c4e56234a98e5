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
 * | lost by lease expiry, attempts used up  | lease rescue (any worker)       | failure, "Lost: its worker … ", `worker_id` | lost        |
 * |                                         |                                 |   the worker that lost it                |             |
 * | cancelled while queued                  | the dashboard (cancelQueuedJob) | failure, "Cancelled by <actor>", no      | none: it    |
 * |                                         |                                 |   start, duration or worker              | did not run |
 * | cancelled while running (or claimed and | the worker holding it, asked by | failure, "Cancelled on request: …"       | cancelled   |
 * |   not started)                          |   requestCancel                 |                                          |             |
 * | cancel asked, then lost by lease expiry | lease rescue                    | failure, "Cancelled on request: …"       | lost        |
 *
 * Every results row copies the job's id, its settings (JOB_SETTINGS), `created_at`, `attempts`
 * and `retry_of` from `jobs`; the ending supplies the rest (OutcomeColumn). The SQL, and the hook
 * rule, are in lifecycle-sql.ts.
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
import { prepareLifecycle, type JobSetting } from "./lifecycle-sql";
import { DEFAULT_MAX_ATTEMPTS } from "./queries/enqueue";
import { insertJobs, type JobValues } from "./queries/insert-jobs";
import type { AttemptOutcome, JobState, ResultState } from "./schema";

export { JOB_SETTINGS, type JobSetting } from "./lifecycle-sql";

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

/** A failure's settings as `results` keeps them: what a retry copies (JOB_SETTINGS). */
export type RetrySource = { id: number } & Omit<Pick<JobValues, JobSetting>, "max_attempts"> & {
    max_attempts: number | null;
  };

/** The new job of a retry: every setting of the failed one, enqueued now, linked by retry_of (pure; both dialects). */
export function retryJobValues(f: RetrySource, now: number): JobValues {
  const { id, max_attempts, ...settings } = f;
  return {
    ...settings,
    // Finished before results kept the setting: the enqueue default.
    max_attempts: max_attempts ?? DEFAULT_MAX_ATTEMPTS,
    run_at: now,
    created_at: now,
    retry_of: id,
  };
}

/** How a queued job cancelled by `actor` ends: a failure "Cancelled by <actor>", never started (pure; both dialects). */
export function cancelledQueued(id: number, actor: string, now: number): Finish {
  return {
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
  };
}

/**
 * What a lost attempt (lease expired) writes (pure; both dialects): its attempt row, and either a
 * requeue (attempts left, no cancel asked) or the job's final failure.
 */
export function lostAttemptEnding(
  job: LostJob,
  now: number,
): { attempt: AttemptEnd } & (
  { requeue: Requeue; finish: null } | { requeue: null; finish: Finish }
) {
  const startedAt = Math.min(job.startedAt ?? job.lockedAt ?? now, now);
  // The worker's id (host:pid:random) goes on a line of its own: the first line is what failure
  // groups fingerprint, and a random id there would make one group per worker process.
  const lost = `its worker stopped renewing its lease (it crashed, was killed or stalled) during attempt ${job.attempts}\nWorker: ${job.lockedBy ?? "?"}`;
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
    return {
      attempt,
      requeue: { id: job.id, token: job.claimToken, runAt: now, error },
      finish: null,
    };
  }
  const finish: Finish = {
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
  };
  return { attempt, requeue: null, finish };
}

function cut(text: string | null, max: number): string | null {
  return text === null ? null : truncateText(text, max);
}

/**
 * The transitions bound to one connection, with their statements prepared once. They write
 * inside the caller's transaction (the worker's write round, the sweep, an action with its
 * audit entry); the functions below this one open their own when called alone.
 */
export function createLifecycle(db: Db) {
  const s = prepareLifecycle(db.$client);

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
    const lost = lostAttemptEnding(job, now);
    if (lost.requeue) return requeue(lost.requeue, lost.attempt) ? "requeued" : null;
    return finish(lost.finish, lost.attempt) ? "failed" : null;
  }

  /** Hands a claimed job that never started back, uncounted; false if its lease was lost. */
  function unclaim(id: number, token: string): boolean {
    return s.unclaim.run(id, token).changes > 0;
  }

  /** Ends a queued job as a failure "Cancelled by <actor>" (no attempt: it did not run). */
  function cancelQueued(id: number, actor: string, now: number): CancelOutcome {
    return finish(cancelledQueued(id, actor, now), null) ? "cancelled" : "not-found";
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
    const { id } = f;
    const row = retryJobValues(f, now);
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
