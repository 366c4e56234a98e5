/**
 * Worker writes: claim, record outcomes, renew leases, release. Hot path: every statement is
 * prepared once per connection, outcomes are written in batches inside one short BEGIN IMMEDIATE
 * transaction, and every write by the claiming worker carries its claim token, so a worker that
 * lost its lease changes nothing.
 */
import { randomUUID } from "node:crypto";
import type Database from "better-sqlite3";
import type { Db } from "../client";
import { MAX_ERROR_CHARS, MAX_STACK_CHARS, truncateText } from "../limits";
import { insertJobs, toJobValues } from "./enqueue";

/** A job as the worker holds it after claiming. */
export interface ClaimedJob {
  id: number;
  name: string | null;
  task: string;
  args: string;
  queue: string;
  priority: number;
  attempts: number;
  maxAttempts: number;
  timeoutMs: number | null;
  hook: string | null;
  claimToken: string;
  startedAt: number;
}

/**
 * How one run ended, as the runner reports it. `retryAt` null means: fail for good. `startedAt`
 * is when the task began in its thread (default: the claim time, `job.startedAt`).
 */
export type Outcome =
  | { kind: "success"; job: ClaimedJob; startedAt?: number; stoppedAt: number; result: string }
  | {
      kind: "error";
      job: ClaimedJob;
      startedAt?: number;
      stoppedAt: number;
      error: string;
      stack: string | null;
      attemptOutcome: "error" | "timeout" | "cancelled";
      retryAt: number | null;
    };

/** What renewLeases found: the jobs this worker still holds, and those asked to cancel. */
export interface LeaseState {
  held: Map<number, string>;
  cancelRequested: Set<number>;
}

/**
 * What a claim returns per job, as a plain row (`.raw()`): better-sqlite3 builds no object with
 * named keys per row; claimJobs builds one literal of a fixed shape. The claim token and start
 * time are the claim's own, shared by every job it took.
 */
const CLAIM_COLUMNS = `id, name, task, args, queue, priority, attempts, max_attempts, timeout_ms, hook`;
type ClaimRow = [
  id: number,
  name: string | null,
  task: string,
  args: string,
  queue: string,
  priority: number,
  attempts: number,
  maxAttempts: number,
  timeoutMs: number | null,
  hook: string | null,
];

export function claimSql(queueCount: number): string {
  // INDEXED BY pins the index that serves the claim: the planner, without statistics, may pick
  // another and sort every queued row on each claim. All queues: (priority, run_at, id) gives
  // rows in claim order. One queue: (queue, priority, run_at, id) does. Several: the first rows
  // of each queue from that index, merged -- never a walk past other queues' rows.
  const due = `state = 'queued' AND run_at <= @now`;
  const pick =
    queueCount === 0
      ? `SELECT id FROM jobs INDEXED BY jobs_claim_idx WHERE ${due}
         ORDER BY priority DESC, run_at, id LIMIT @limit`
      : queueCount === 1
        ? `SELECT id FROM jobs INDEXED BY jobs_claim_queue_idx WHERE queue = @q0 AND ${due}
           ORDER BY priority DESC, run_at, id LIMIT @limit`
        : `SELECT id FROM (${Array.from(
            { length: queueCount },
            (_, i) => `SELECT * FROM (SELECT id, priority, run_at FROM jobs
               INDEXED BY jobs_claim_queue_idx WHERE queue = @q${i} AND ${due}
               ORDER BY priority DESC, run_at, id LIMIT @limit)`,
          ).join(" UNION ALL ")}) ORDER BY priority DESC, run_at, id LIMIT @limit`;
  return `UPDATE jobs SET state = 'running', locked_by = @worker, locked_at = @now,
      lease_expires_at = @leaseUntil, claim_token = @token, attempts = attempts + 1,
      started_at = @now, first_started_at = COALESCE(first_started_at, @now),
      progress = NULL, progress_message = NULL
    WHERE id IN (${pick})
    RETURNING ${CLAIM_COLUMNS}`;
}

/** The finished-job row written to `results` (success or final failure). */
const INSERT_RESULT = `INSERT INTO results (id, name, task, args, queue, priority, state, group_name,
    result, error, error_stack, created_at, started_at, stopped_at, duration_ms, attempts, worker_id,
    retry_of, schedule_id, error_fingerprint)
  SELECT id, name, task, args, queue, priority, @state, group_name, @result, @error, @stack,
    created_at, @startedAt, @stoppedAt, @stoppedAt - @startedAt, attempts, @worker, retry_of, schedule_id,
    jobdeck_error_fingerprint(@error)
  FROM jobs WHERE id = @id AND claim_token = @token AND state = 'running'`;

/*
 * Successes are written set-wise: one statement per batch, not three per job. The batch is a JSON
 * array of [id, claimToken, startedAt, stoppedAt, resultJson, attempt]; a row is written only
 * while this claim still holds the job (RETURNING tells which did), then the same ids leave the
 * live queue and get their attempt row.
 */
const INSERT_SUCCESSES = `INSERT INTO results (id, name, task, args, queue, priority, state, group_name,
    result, created_at, started_at, stopped_at, duration_ms, attempts, worker_id, retry_of, schedule_id)
  SELECT j.id, j.name, j.task, j.args, j.queue, j.priority, 'success', j.group_name, x.value ->> 4,
    j.created_at, x.value ->> 2, x.value ->> 3, (x.value ->> 3) - (x.value ->> 2), j.attempts, @worker,
    j.retry_of, j.schedule_id
  FROM json_each(@batch) AS x JOIN jobs AS j ON j.id = x.value ->> 0
  WHERE j.claim_token = x.value ->> 1 AND j.state = 'running'
  RETURNING id`;

const DELETE_JOBS = `DELETE FROM jobs WHERE id IN (SELECT value FROM json_each(?)) AND state = 'running'`;

const INSERT_SUCCESS_ATTEMPTS = `INSERT INTO attempts (job_id, attempt, worker_id, outcome, started_at,
    stopped_at, duration_ms)
  SELECT x.value ->> 0, x.value ->> 5, @worker, 'success', x.value ->> 2, x.value ->> 3,
    (x.value ->> 3) - (x.value ->> 2)
  FROM json_each(@batch) AS x`;

const INSERT_ATTEMPT = `INSERT INTO attempts (job_id, attempt, worker_id, outcome, started_at,
    stopped_at, duration_ms, error, error_stack)
  VALUES (@id, @attempt, @worker, @outcome, @startedAt, @stoppedAt, @stoppedAt - @startedAt, @error, @stack)`;

function prepareStatements(sqlite: Database.Database) {
  return {
    insertResult: sqlite.prepare(INSERT_RESULT),
    deleteJob: sqlite.prepare(
      `DELETE FROM jobs WHERE id = ? AND claim_token = ? AND state = 'running'`,
    ),
    insertAttempt: sqlite.prepare(INSERT_ATTEMPT),
    insertSuccesses: sqlite.prepare(INSERT_SUCCESSES).pluck(),
    deleteJobs: sqlite.prepare(DELETE_JOBS),
    insertSuccessAttempts: sqlite.prepare(INSERT_SUCCESS_ATTEMPTS),
    // A job claimed but never started goes back as if never claimed: no attempt is counted.
    unclaim: sqlite.prepare(
      `UPDATE jobs SET state = 'queued', attempts = attempts - 1, locked_by = NULL, locked_at = NULL,
         lease_expires_at = NULL, claim_token = NULL, started_at = NULL,
         first_started_at = CASE WHEN attempts = 1 THEN NULL ELSE first_started_at END
       WHERE id = ? AND claim_token = ? AND state = 'running'`,
    ),
    requeue: sqlite.prepare(
      `UPDATE jobs SET state = 'queued', run_at = @runAt, locked_by = NULL, locked_at = NULL,
         lease_expires_at = NULL, claim_token = NULL, last_error = @error, progress = NULL,
         progress_message = NULL
       WHERE id = @id AND claim_token = @token AND state = 'running'`,
    ),
    hookSource: sqlite.prepare(`SELECT id, task, hook FROM jobs WHERE id = ? AND claim_token = ?`),
    renew: sqlite.prepare(
      `UPDATE jobs SET lease_expires_at = ? WHERE locked_by = ? AND state = 'running'
       RETURNING id, claim_token AS claimToken, cancel_requested_at AS cancelRequestedAt`,
    ),
    progress: sqlite.prepare(
      `UPDATE jobs SET progress = ?, progress_message = ? WHERE id = ? AND claim_token = ? AND state = 'running'`,
    ),
    workerJobsDone: sqlite.prepare(`UPDATE workers SET jobs_done = jobs_done + ? WHERE id = ?`),
    // The claim's own first row: due jobs come first within a priority, so this stops at once
    // unless higher-priority jobs all wait for later (as the claim would).
    dueCheck: sqlite
      .prepare(
        `SELECT 1 FROM jobs INDEXED BY jobs_claim_idx WHERE state = 'queued' AND run_at <= ? LIMIT 1`,
      )
      .pluck(),
    // Jobs created to run later (delays, retries, released jobs) are the only ones that come due
    // without a commit; jobs_due_idx holds exactly those.
    nextRunAt: sqlite
      .prepare(
        `SELECT run_at FROM jobs INDEXED BY jobs_due_idx WHERE state = 'queued' AND run_at > created_at
         ORDER BY run_at LIMIT 1`,
      )
      .pluck(),
    dataVersion: sqlite.prepare(`PRAGMA data_version`).pluck(),
    cancelRequests: sqlite
      .prepare(
        `SELECT id FROM jobs INDEXED BY jobs_lease_idx WHERE state = 'running' AND locked_by = ?
         AND cancel_requested_at IS NOT NULL`,
      )
      .pluck(),
  };
}

type Statements = ReturnType<typeof prepareStatements>;

/** The connection's busy timeout (ms), to restore after a non-blocking attempt. */
function busyTimeoutMs(sqlite: Database.Database): number {
  return Number(sqlite.pragma("busy_timeout", { simple: true }));
}

/** Worker-side store bound to one connection and one worker id; statements prepared once. */
export function createWorkerStore(db: Db, workerId: string) {
  const sqlite = db.$client;
  const s: Statements = prepareStatements(sqlite);
  const claimStatements = new Map<number, Database.Statement>();

  function claimStatement(queueCount: number): Database.Statement {
    let stmt = claimStatements.get(queueCount);
    if (!stmt) {
      stmt = sqlite.prepare(claimSql(queueCount)).raw();
      claimStatements.set(queueCount, stmt);
    }
    return stmt;
  }

  const dueInQueues = new Map<number, Database.Statement>();
  function dueInQueuesStatement(queueCount: number): Database.Statement {
    let stmt = dueInQueues.get(queueCount);
    if (!stmt) {
      const marks = Array.from({ length: queueCount }, () => "?").join(", ");
      stmt = sqlite
        .prepare(
          `SELECT 1 FROM jobs INDEXED BY jobs_claim_queue_idx WHERE state = 'queued' AND run_at <= ?
           AND queue IN (${marks}) LIMIT 1`,
        )
        .pluck();
      dueInQueues.set(queueCount, stmt);
    }
    return stmt;
  }

  /** Claims up to `limit` due jobs (optionally only from `queues`) with a lease of `leaseMs`. */
  function claimJobs(
    limit: number,
    queues: string[] | null,
    leaseMs: number,
    now = Date.now(),
  ): ClaimedJob[] {
    if (limit <= 0) return [];
    const token = randomUUID();
    const params: Record<string, string | number> = {
      worker: workerId,
      now,
      leaseUntil: now + leaseMs,
      token,
      limit,
    };
    (queues ?? []).forEach((q, i) => (params[`q${i}`] = q));
    const rows = claimStatement(queues?.length ?? 0).all(params) as ClaimRow[];
    const jobs = new Array<ClaimedJob>(rows.length);
    for (let i = 0; i < rows.length; i++) {
      const r = rows[i]!;
      jobs[i] = {
        id: r[0],
        name: r[1],
        task: r[2],
        args: r[3],
        queue: r[4],
        priority: r[5],
        attempts: r[6],
        maxAttempts: r[7],
        timeoutMs: r[8],
        hook: r[9],
        claimToken: token,
        startedAt: now,
      };
    }
    // RETURNING gives no order: restore claim order (priority, then FIFO).
    return jobs.sort((a, b) => b.priority - a.priority || a.id - b.id);
  }

  function writeHook(job: ClaimedJob, state: "success" | "failure", payload: object, now: number) {
    if (!job.hook) return;
    const args = { jobId: job.id, task: job.task, state, ...payload };
    insertJobs(db, [toJobValues({ task: job.hook, args, options: { queue: job.queue } }, now)]);
  }

  function writeOne(o: Outcome): boolean {
    const { job } = o;
    const startedAt = o.startedAt ?? job.startedAt;
    const base = {
      id: job.id,
      token: job.claimToken,
      worker: workerId,
      startedAt,
      stoppedAt: o.stoppedAt,
    };
    const attempt = {
      id: job.id,
      attempt: job.attempts,
      worker: workerId,
      startedAt,
      stoppedAt: o.stoppedAt,
    };
    if (o.kind === "success") {
      const written = s.insertResult.run({
        ...base,
        state: "success",
        result: o.result,
        error: null,
        stack: null,
      });
      if (written.changes === 0) return false; // lease lost: another worker owns the job now
      s.deleteJob.run(job.id, job.claimToken);
      s.insertAttempt.run({ ...attempt, outcome: "success", error: null, stack: null });
      writeHook(job, "success", { result: JSON.parse(o.result) as unknown }, o.stoppedAt);
      return true;
    }
    const error = truncateText(o.error, MAX_ERROR_CHARS);
    const stack = o.stack === null ? null : truncateText(o.stack, MAX_STACK_CHARS);
    if (o.retryAt !== null) {
      const moved = s.requeue.run({ id: job.id, token: job.claimToken, runAt: o.retryAt, error });
      if (moved.changes === 0) return false;
    } else {
      const written = s.insertResult.run({ ...base, state: "failure", result: null, error, stack });
      if (written.changes === 0) return false;
      s.deleteJob.run(job.id, job.claimToken);
      writeHook(job, "failure", { error }, o.stoppedAt);
    }
    s.insertAttempt.run({ ...attempt, outcome: o.attemptOutcome, error, stack });
    return true;
  }

  /** Writes successes without hooks set-wise (see INSERT_SUCCESSES); returns the ids written. */
  function writeSuccesses(list: Extract<Outcome, { kind: "success" }>[]): Set<number> {
    const batch = JSON.stringify(
      list.map((o) => [
        o.job.id,
        o.job.claimToken,
        o.startedAt ?? o.job.startedAt,
        o.stoppedAt,
        o.result,
        o.job.attempts,
      ]),
    );
    const ids = s.insertSuccesses.all({ batch, worker: workerId }) as number[];
    const written = new Set(ids);
    if (ids.length === 0) return written;
    s.deleteJobs.run(JSON.stringify(ids));
    const attempts =
      ids.length === list.length
        ? batch
        : JSON.stringify(
            list
              .filter((o) => written.has(o.job.id))
              .map((o) => [
                o.job.id,
                null,
                o.startedAt ?? o.job.startedAt,
                o.stoppedAt,
                null,
                o.job.attempts,
              ]),
          );
    s.insertSuccessAttempts.run({ batch: attempts, worker: workerId });
    return written;
  }

  /** Writes outcomes (inside the caller's transaction); returns the ids whose lease was lost. */
  function writeOutcomes(outcomes: Outcome[]): number[] {
    const lost: number[] = [];
    const plain: Extract<Outcome, { kind: "success" }>[] = [];
    let done = 0;
    for (const o of outcomes) {
      if (o.kind === "success" && !o.job.hook) plain.push(o);
      else if (writeOne(o)) done++;
      else lost.push(o.job.id);
    }
    if (plain.length > 0) {
      const written = writeSuccesses(plain);
      done += written.size;
      for (const o of plain) if (!written.has(o.job.id)) lost.push(o.job.id);
    }
    if (done > 0) s.workerJobsDone.run(done, workerId);
    return lost;
  }

  /** Writes a batch of outcomes in one IMMEDIATE transaction; returns the ids whose lease was lost. */
  const recordOutcomes = sqlite.transaction(writeOutcomes);

  // PRAGMA busy_timeout acts when a statement is compiled, not when it runs: set it each time.
  const busyTimeout = busyTimeoutMs(sqlite);
  const lockStatements = {
    begin: sqlite.prepare(`BEGIN IMMEDIATE`),
    commit: sqlite.prepare(`COMMIT`),
    rollback: sqlite.prepare(`ROLLBACK`),
  };

  /**
   * The worker's write cycle: records finished jobs and claims the next ones in one IMMEDIATE
   * transaction, so a busy worker takes the write lock once per round, not twice. Returns null
   * at once when another connection holds the write lock: the caller keeps its threads busy and
   * tries again soon, instead of sleeping in SQLite's busy handler with its event loop blocked.
   */
  function tryCycle(
    outcomes: Outcome[],
    claim: { limit: number; queues: string[] | null; leaseMs: number },
  ): { lost: number[]; claimed: ClaimedJob[] } | null {
    sqlite.pragma("busy_timeout = 0");
    // Losing the lock is routine when workers share a database: its error skips the stack trace
    // (half the cost of a failed attempt). Any other error gets its stack trace here.
    const stackTraceLimit = Error.stackTraceLimit;
    Error.stackTraceLimit = 0;
    try {
      lockStatements.begin.run();
    } catch (error) {
      Error.stackTraceLimit = stackTraceLimit;
      if ((error as { code?: string }).code === "SQLITE_BUSY") return null;
      if (error instanceof Error) Error.captureStackTrace(error, tryCycle);
      throw error;
    } finally {
      Error.stackTraceLimit = stackTraceLimit;
      sqlite.pragma(`busy_timeout = ${busyTimeout}`);
    }
    try {
      const lost = outcomes.length > 0 ? writeOutcomes(outcomes) : [];
      const claimed = claim.limit > 0 ? claimJobs(claim.limit, claim.queues, claim.leaseMs) : [];
      lockStatements.commit.run();
      return { lost, claimed };
    } catch (error) {
      if (sqlite.inTransaction) lockStatements.rollback.run();
      throw error;
    }
  }

  /** Hands claimed jobs that never started back to the queue, uncounted; returns how many. */
  const unclaimJobs = sqlite.transaction((jobs: ClaimedJob[]): number => {
    let count = 0;
    for (const job of jobs) count += s.unclaim.run(job.id, job.claimToken).changes;
    return count;
  });

  /** Renews the lease of every job this worker holds and reports cancel requests. */
  const renewLeases = sqlite.transaction(
    (
      leaseMs: number,
      progress: { id: number; token: string; value: number; message: string | null }[],
      now: number,
    ): LeaseState => {
      for (const p of progress) s.progress.run(p.value, p.message, p.id, p.token);
      const rows = s.renew.all(now + leaseMs, workerId) as {
        id: number;
        claimToken: string;
        cancelRequestedAt: number | null;
      }[];
      const held = new Map<number, string>();
      const cancelRequested = new Set<number>();
      for (const r of rows) {
        held.set(r.id, r.claimToken);
        if (r.cancelRequestedAt !== null) cancelRequested.add(r.id);
      }
      return { held, cancelRequested };
    },
  );

  /** Writes the latest progress of running jobs (token-checked). */
  const writeProgress = sqlite.transaction(
    (progress: { id: number; token: string; value: number; message: string | null }[]) => {
      for (const p of progress) s.progress.run(p.value, p.message, p.id, p.token);
    },
  );

  /** Puts jobs this worker still holds back in the queue (graceful shutdown); records the cut attempt. */
  const releaseJobs = sqlite.transaction((jobs: ClaimedJob[], now: number): number => {
    let released = 0;
    for (const job of jobs) {
      const moved = s.requeue.run({
        id: job.id,
        token: job.claimToken,
        runAt: now,
        error: "Released at worker shutdown",
      });
      if (moved.changes === 0) continue;
      released++;
      s.insertAttempt.run({
        id: job.id,
        attempt: job.attempts,
        worker: workerId,
        outcome: "lost",
        startedAt: job.startedAt,
        stoppedAt: now,
        error: "Released at worker shutdown before the job finished",
        stack: null,
      });
    }
    return released;
  });

  return {
    claimJobs,
    recordOutcomes: (outcomes: Outcome[]) => recordOutcomes.immediate(outcomes),
    tryCycle,
    unclaimJobs: (jobs: ClaimedJob[]) => unclaimJobs.immediate(jobs),
    renewLeases: (
      leaseMs: number,
      progress: { id: number; token: string; value: number; message: string | null }[] = [],
      now = Date.now(),
    ) => renewLeases.immediate(leaseMs, progress, now),
    releaseJobs: (jobs: ClaimedJob[], now = Date.now()) => releaseJobs.immediate(jobs, now),
    writeProgress: (
      progress: { id: number; token: string; value: number; message: string | null }[],
    ) => writeProgress.immediate(progress),
    /** True when some queued job is due (a read; takes no write lock). */
    hasDueJobs: (now = Date.now(), queues: string[] | null = null) =>
      (queues && queues.length > 0
        ? dueInQueuesStatement(queues.length).get(now, ...queues)
        : s.dueCheck.get(now)) !== undefined,
    /** The earliest run_at of a queued job created to run later, or null. */
    nextRunAt: () => (s.nextRunAt.get() as number | undefined) ?? null,
    /** Ids of this worker's running jobs someone asked to cancel (a read on the running rows). */
    cancelRequests: () => s.cancelRequests.all(workerId) as number[],
    /** Changes whenever another connection commits: the idle worker's cheap wake-up check. */
    dataVersion: () => s.dataVersion.get() as number,
  };
}

/** The worker-side store type. */
export type WorkerStore = ReturnType<typeof createWorkerStore>;
