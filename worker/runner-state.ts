/**
 * The runner's state (worker/runner.ts), grouped by concern, so that a reader can follow a round:
 * the claimed jobs, the outcomes waiting to be written, the idle worker's wake-ups, the wait for
 * a busy database, batch sizing and thread growth, and the rounds themselves.
 */
import type { ClaimedJob, Outcome } from "@/db/store/worker";

/** The runner's state, by concern. */
export interface RunnerState {
  /** Claimed jobs, from their claim until their outcome is written. */
  jobs: {
    /** Claimed and not yet recorded: in the buffer, in a thread, or awaiting the write. */
    inFlight: Map<number, ClaimedJob>;
    /** Claimed, not yet handed to a thread. */
    buffer: ClaimedJob[];
    /** Someone asked to cancel these. */
    cancelRequested: Set<number>;
    /** Lease lost while in a thread's hands unstarted: dropped when handed back. */
    leaseLost: Set<number>;
    /** Still running at the end of the grace period: released, not recorded. */
    releasing: Set<number>;
  };
  /** What waits to be written. */
  writes: {
    /** Outcomes not yet written (oldest first); they stay here until their write commits. */
    outcomes: Outcome[];
    /** When the oldest of them arrived. */
    since: number;
    /** Brings the next round when the oldest has waited MAX_WRITE_DELAY_MS. */
    timer: NodeJS.Timeout | null;
    /** Latest progress report per running job, written by the progress timer or heartbeat. */
    progress: Map<number, { value: number; message: string | null }>;
  };
  /** Whether there is work, and the idle worker's wake-ups. */
  idle: {
    /** Due jobs for this worker may be waiting (false after a claim came back short). */
    mayHaveWork: boolean;
    /** The store's change token at the last look. */
    token: number;
    lookedAt: number;
    /** The earliest delayed job's run time, or null. */
    nextRunAt: number | null;
    /** Quick rechecks left after a commit was seen (it may not be visible yet). */
    recheckSoon: number;
    timer: NodeJS.Timeout | null;
    isPolling: boolean;
    /** Stops the commit watch, while one runs (idle only). */
    unwatch: (() => void) | null;
  };
  /** Waiting for a busy database. */
  lock: {
    /** Rounds in a row that found it busy. */
    misses: number;
    /** Cancels the wait for it to be writable, while one runs. */
    cancel: (() => void) | null;
  };
  /** Batch sizing and thread growth. */
  growth: {
    /** Moving average of job duration (ms): sizes the batches. Starts cautious. */
    averageMs: number;
    /** Time the threads spent running jobs that finished since windowStart. */
    busyMs: number;
    windowStart: number;
    timer: NodeJS.Timeout | null;
  };
  /** One round at a time. */
  rounds: {
    isScheduled: boolean;
    /** The round in progress, if any. */
    current: Promise<void> | null;
    /** A round was asked for while one ran: run one more after it. */
    again: boolean;
    isStopping: boolean;
  };
}

export function initialState(averageMs: number): RunnerState {
  return {
    jobs: {
      inFlight: new Map(),
      buffer: [],
      cancelRequested: new Set(),
      leaseLost: new Set(),
      releasing: new Set(),
    },
    writes: { outcomes: [], since: 0, timer: null, progress: new Map() },
    idle: {
      mayHaveWork: true,
      // No token read yet: the first time the queue runs dry, the worker looks once more.
      token: -1,
      lookedAt: 0,
      nextRunAt: null,
      recheckSoon: 0,
      timer: null,
      isPolling: false,
      unwatch: null,
    },
    lock: { misses: 0, cancel: null },
    growth: { averageMs, busyMs: 0, windowStart: Date.now(), timer: null },
    rounds: { isScheduled: false, current: null, again: false, isStopping: false },
  };
}

/** Runs `fn` from a timer, skipping a tick while the previous call is still running. */
export function oneAtATime(fn: () => Promise<void>): () => void {
  let isRunning = false;
  return () => {
    if (isRunning) return;
    isRunning = true;
    void fn().finally(() => (isRunning = false));
  };
}
