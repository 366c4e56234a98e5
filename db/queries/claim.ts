/**
 * Worker writes: claim, record outcomes, renew leases, release. Hot path: every statement is
 * prepared once per connection, outcomes are written in batches inside one short BEGIN IMMEDIATE
 * transaction, and every write by the claiming worker carries its claim token, so a worker that
 * lost its lease changes nothing. How an outcome changes the job (finish, requeue, its attempt
 * and hook) is db/lifecycle.ts's: this file decides only what to write when.
 */
import { randomUUID } from "node:crypto";
import type Database from "better-sqlite3";
import type { Db } from "../client";
import { lifecycleOf, type AttemptEnd, type Requeue, type SuccessRow } from "../lifecycle";

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

function prepareStatements(sqlite: Database.Database) {
  return {
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

/**
 * What releasing a running job at worker shutdown writes (pure; both dialects): back to the queue
 * now, its cut attempt recorded as lost.
 */
export function releasedJob(
  job: ClaimedJob,
  workerId: string,
  now: number,
): { requeue: Requeue; attempt: AttemptEnd } {
  return {
    requeue: {
      id: job.id,
      token: job.claimToken,
      runAt: now,
      error: "Released at worker shutdown",
    },
    attempt: {
      attempt: job.attempts,
      outcome: "lost",
      worker: workerId,
      startedAt: job.startedAt,
      stoppedAt: now,
      error: "Released at worker shutdown before the job finished",
      stack: null,
    },
  };
}

/** The attempt row of a failed run (error, timeout or cancelled), as both dialects record it. */
export function failedAttempt(
  o: Extract<Outcome, { kind: "error" }>,
  workerId: string,
): AttemptEnd {
  return {
    attempt: o.job.attempts,
    outcome: o.attemptOutcome,
    worker: workerId,
    startedAt: o.startedAt ?? o.job.startedAt,
    stoppedAt: o.stoppedAt,
    error: o.error,
    stack: o.stack,
  };
}

/** Worker-side store bound to one connection and one worker id; statements prepared once. */
export function createWorkerStore(db: Db, workerId: string) {
  const sqlite = db.$client;
  const s: Statements = prepareStatements(sqlite);
  const life = lifecycleOf(db);
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

  /** Writes one failed run: back to the queue with a backoff, or the job's final failure. */
  function writeError(o: Extract<Outcome, { kind: "error" }>): boolean {
    const { job } = o;
    const attempt = failedAttempt(o, workerId);
    if (o.retryAt !== null) {
      return life.requeue(
        { id: job.id, token: job.claimToken, runAt: o.retryAt, error: o.error },
        attempt,
      );
    }
    return life.finish(
      {
        id: job.id,
        from: "running",
        token: job.claimToken,
        state: "failure",
        result: null,
        error: o.error,
        stack: o.stack,
        startedAt: attempt.startedAt,
        stoppedAt: o.stoppedAt,
        worker: workerId,
      },
      attempt,
    );
  }

  /** Writes successes set-wise (see lifecycle's finishSuccesses); returns the ids written. */
  function writeSuccesses(list: Extract<Outcome, { kind: "success" }>[]): Set<number> {
    let anyHook = false;
    const rows = list.map((o): SuccessRow => {
      if (o.job.hook !== null) anyHook = true;
      return [
        o.job.id,
        o.job.claimToken,
        o.startedAt ?? o.job.startedAt,
        o.stoppedAt,
        o.result,
        o.job.attempts,
      ];
    });
    return life.finishSuccesses(workerId, rows, anyHook);
  }

  /** Writes outcomes (inside the caller's transaction); returns the ids whose lease was lost. */
  function writeOutcomes(outcomes: readonly Outcome[]): number[] {
    const lost: number[] = [];
    const successes: Extract<Outcome, { kind: "success" }>[] = [];
    let done = 0;
    for (const o of outcomes) {
      if (o.kind === "success") successes.push(o);
      else if (writeError(o)) done++;
      else lost.push(o.job.id);
    }
    if (successes.length > 0) {
      const written = writeSuccesses(successes);
      done += written.size;
      for (const o of successes) if (!written.has(o.job.id)) lost.push(o.job.id);
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
    outcomes: readonly Outcome[],
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
  const unclaimJobs = sqlite.transaction((jobs: readonly ClaimedJob[]): number => {
    let count = 0;
    for (const job of jobs) if (life.unclaim(job.id, job.claimToken)) count++;
    return count;
  });

  /** Renews the lease of every job this worker holds and reports cancel requests. */
  const renewLeases = sqlite.transaction(
    (
      leaseMs: number,
      progress: readonly { id: number; token: string; value: number; message: string | null }[],
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
    (progress: readonly { id: number; token: string; value: number; message: string | null }[]) => {
      for (const p of progress) s.progress.run(p.value, p.message, p.id, p.token);
    },
  );

  /** Puts jobs this worker still holds back in the queue (graceful shutdown); records the cut attempt. */
  const releaseJobs = sqlite.transaction((jobs: readonly ClaimedJob[], now: number): number => {
    let released = 0;
    for (const job of jobs) {
      const r = releasedJob(job, workerId, now);
      if (life.requeue(r.requeue, r.attempt)) released++;
    }
    return released;
  });

  return {
    claimJobs,
    recordOutcomes: (outcomes: readonly Outcome[]) => recordOutcomes.immediate(outcomes),
    tryCycle,
    unclaimJobs: (jobs: readonly ClaimedJob[]) => unclaimJobs.immediate(jobs),
    renewLeases: (
      leaseMs: number,
      progress: readonly {
        id: number;
        token: string;
        value: number;
        message: string | null;
      }[] = [],
      now = Date.now(),
    ) => renewLeases.immediate(leaseMs, progress, now),
    releaseJobs: (jobs: readonly ClaimedJob[], now = Date.now()) =>
      releaseJobs.immediate(jobs, now),
    writeProgress: (
      progress: readonly { id: number; token: string; value: number; message: string | null }[],
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

/**
 * The worker's SQLite statements on one connection (synchronous). The worker reaches them through
 * the store's async WorkerStore (db/store/worker.ts, db/sqlite/worker-store.ts).
 */
export type WorkerStore = ReturnType<typeof createWorkerStore>;
