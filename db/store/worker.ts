/**
 * The worker's store: one worker process's claim/outcome round, its leases, and how it learns that
 * the database is writable again or has new work. An explicit interface, so that each database
 * brings its own machinery behind it:
 *
 *   SQLite      one write round per `BEGIN IMMEDIATE` that gives up at once on a taken write lock
 *               (`cycle` resolves null), the lock bell to learn when the holder let go, a watch on
 *               the WAL file plus `PRAGMA data_version` for commits by others, and a thread that
 *               checkpoints the WAL (db/sqlite/worker-store.ts)
 *   PostgreSQL  (issue 17) claims with `FOR UPDATE SKIP LOCKED`, no global write lock (`cycle`
 *               never resolves null, `whenWritable` calls back at once), `LISTEN/NOTIFY` for commits
 *
 * Every write by the claiming worker carries the claim's token: a worker that lost a lease
 * changes nothing. Methods may be called while another is still running (the heartbeat timer
 * runs beside the round); an implementation on an asynchronous driver must allow that.
 */
import type { ClaimedJob, LeaseState, Outcome } from "../queries/claim";

export type { ClaimedJob, LeaseState, Outcome };

/** A running job's latest progress report, written under its claim token. */
export interface ProgressReport {
  id: number;
  token: string;
  value: number;
  message: string | null;
}

/** What a round claims: up to `limit` due jobs (from `queues`, null = all) for `leaseMs`. */
export interface ClaimRequest {
  limit: number;
  queues: string[] | null;
  leaseMs: number;
}

/** What a round wrote: the outcomes whose lease was lost (not written), and the jobs claimed. */
export interface CycleResult {
  lost: number[];
  claimed: ClaimedJob[];
}

/** Options of `store.worker(id, options)`. */
export interface WorkerStoreOptions {
  /**
   * Runs the database's own background chores while this store is open (SQLite: checkpoints the
   * WAL from a thread of its own every `everyMs`, default 250 ms, so that no commit pays for
   * it). The worker process asks for it; a test of the round need not. `onError` hears of a
   * failed chore by name (`"checkpoint"`).
   */
  housekeeping?: { everyMs?: number; onError(chore: string, message: string): void };
}

/** One worker's round, leases and wake-ups (its own connection where the database needs one). */
export interface WorkerStore {
  /** The worker id this store claims and writes for. */
  readonly workerId: string;
  /**
   * The database's clock as this worker best knows it (epoch ms): the times it records (a run's
   * start and stop, a retry's run time) are on this clock, so hosts whose clocks differ agree.
   * SQLite: the host's clock (one host). PostgreSQL: the host's clock plus the offset learned
   * from the database's time at each claim.
   */
  now(): number;
  /**
   * The write round: records `outcomes` and claims the next jobs in one short transaction.
   * Resolves null, having written nothing, when the database cannot take the write now (SQLite:
   * another connection holds the write lock); the caller keeps its threads busy and tries again
   * at `whenWritable`.
   */
  cycle(outcomes: readonly Outcome[], claim: ClaimRequest): Promise<CycleResult | null>;
  /**
   * Calls `onReady` once when a write is worth trying again, `misses` being how many rounds in a
   * row found the database busy (SQLite: at the holder's lock-bell ring, at the latest after a
   * fallback delay that doubles with each miss; a database without a global write lock: at
   * once). Never calls it before returning. Returns a function that cancels the wait.
   */
  whenWritable(misses: number, onReady: () => void): () => void;
  /**
   * Calls `onChange` when another process may have committed (SQLite: a change watch on the WAL
   * file, which fires a moment before the commit is visible); returns a function that stops it.
   * Watch only while idle: a busy worker would wake for every write of every other worker.
   */
  watchCommits(onChange: () => void): () => void;
  /** A cheap token that changes when another connection commits (SQLite: PRAGMA data_version). */
  changeToken(): Promise<number>;
  /** Claims up to `limit` due jobs outside a round (tests, tools); the round claims in `cycle`. */
  claimJobs(limit: number, queues: string[] | null, leaseMs: number): Promise<ClaimedJob[]>;
  /** Writes outcomes (no claim), waiting for the database if busy; resolves to the lost ids. */
  recordOutcomes(outcomes: readonly Outcome[]): Promise<number[]>;
  /** Hands claimed jobs that never started back to the queue, uncounted; resolves to how many. */
  unclaimJobs(jobs: readonly ClaimedJob[]): Promise<number>;
  /** Renews the lease of every job this worker holds, writes `progress`, reports cancel requests. */
  renewLeases(leaseMs: number, progress?: readonly ProgressReport[]): Promise<LeaseState>;
  /** Puts jobs still running back in the queue (shutdown), recording the cut attempt as lost. */
  releaseJobs(jobs: readonly ClaimedJob[]): Promise<number>;
  /** Writes the latest progress of running jobs (token-checked). */
  writeProgress(progress: readonly ProgressReport[]): Promise<void>;
  /** True when some queued job is due now (in `queues`, null = any): a read, no write lock. */
  hasDueJobs(now: number, queues: string[] | null): Promise<boolean>;
  /** The earliest run_at of a queued job created to run later (delays, retries), or null. */
  nextRunAt(): Promise<number | null>;
  /** Ids of this worker's running jobs someone asked to cancel. */
  cancelRequests(): Promise<number[]>;
  /** Stops the watches and chores and closes this store's own connection. */
  close(): Promise<void>;
}
