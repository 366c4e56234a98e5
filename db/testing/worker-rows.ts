/**
 * Test helper for the worker's tests: reads the rows a worker process wrote, on a connection of its
 * own, by name (the tests outside db/ write no SQL). Synchronous, so a test can poll it.
 */
import { openDb, type Db } from "../client";

/** A job's attempt as the attempts table holds it. */
export interface AttemptRow {
  jobId: number;
  attempt: number;
  outcome: string;
  error: string | null;
  startedAt: number;
}

/** Opens a reader on the (migrated) SQLite file at `location`; `close()` when done. */
export function openWorkerRows(location: string) {
  const db: Db = openDb({ url: location, migrate: false });
  const sqlite = db.$client;
  const q = (sql: string) => sqlite.prepare(sql);
  return {
    /** Row counts by state across the live queue and the results. */
    countByState(): Record<string, number> {
      const rows = q(
        `SELECT state, COUNT(*) AS n FROM jobs GROUP BY state
         UNION ALL SELECT state, COUNT(*) FROM results GROUP BY state`,
      ).all() as { state: string; n: number }[];
      return Object.fromEntries(rows.map((r) => [r.state, r.n]));
    },
    /** The job's row in the live queue (state and attempts), or undefined once it ended. */
    queuedJob(id: number): { state: string; attempts: number } | undefined {
      return q(`SELECT state, attempts FROM jobs WHERE id = ?`).get(id) as
        { state: string; attempts: number } | undefined;
    },
    /** Queued jobs in `queue`. */
    countQueued(queue: string): number {
      return q(`SELECT COUNT(*) FROM jobs WHERE queue = ? AND state = 'queued'`)
        .pluck()
        .get(queue) as number;
    },
    /** The job's results row (every column, snake_case), or undefined. */
    result(id: number): Record<string, unknown> | undefined {
      return q(`SELECT * FROM results WHERE id = ?`).get(id) as Record<string, unknown> | undefined;
    },
    /** Ids of successes, ascending. */
    successIds(): number[] {
      return q(`SELECT id FROM results WHERE state = 'success' ORDER BY id`)
        .pluck()
        .all() as number[];
    },
    /** Every results row's id and attempt count. */
    resultAttempts(): { id: number; attempts: number }[] {
      return q(`SELECT id, attempts FROM results`).all() as { id: number; attempts: number }[];
    },
    /** How many workers wrote results. */
    resultWorkerCount(): number {
      return q(`SELECT COUNT(DISTINCT worker_id) FROM results`).pluck().get() as number;
    },
    /** A job's attempts in order, or every attempt (in the order written) without `jobId`. */
    attempts(jobId?: number): AttemptRow[] {
      const cols = `job_id AS jobId, attempt, outcome, error, started_at AS startedAt`;
      return (
        jobId === undefined
          ? q(`SELECT ${cols} FROM attempts ORDER BY id`).all()
          : q(`SELECT ${cols} FROM attempts WHERE job_id = ? ORDER BY attempt`).all(jobId)
      ) as AttemptRow[];
    },
    /** Hook runs of `task` (jobs carrying `jobId` in their arguments), per ended job. */
    hookRuns(task: string): { jobId: number; state: string; runs: number }[] {
      return q(
        `SELECT args ->> 'jobId' AS jobId, args ->> 'state' AS state, count(*) AS runs
         FROM results WHERE task = ? AND args ->> 'jobId' IS NOT NULL
         GROUP BY 1 ORDER BY 1`,
      ).all(task) as { jobId: number; state: string; runs: number }[];
    },
    /** A hook job's arguments (parsed): the results row other than `id`. */
    otherResultArgs(id: number): unknown {
      const args = q(`SELECT args FROM results WHERE id <> ?`).pluck().get(id) as string;
      return JSON.parse(args);
    },
    /** Every row of the live queue (for a failure message). */
    dumpJobs(): unknown[] {
      return q(`SELECT * FROM jobs`).all();
    },
    /** A schedule's runs in fire order. */
    scheduleRuns(scheduleId: number): { fireAt: number; jobId: number }[] {
      return q(
        `SELECT fire_at AS fireAt, job_id AS jobId FROM schedule_runs WHERE schedule_id = ?
         ORDER BY fire_at`,
      ).all(scheduleId) as { fireAt: number; jobId: number }[];
    },
    /** Ids of every job (queued or ended) a schedule created, ascending. */
    scheduleJobIds(scheduleId: number): number[] {
      return q(
        `SELECT id FROM jobs WHERE schedule_id = ? UNION ALL
         SELECT id FROM results WHERE schedule_id = ? ORDER BY id`,
      )
        .pluck()
        .all(scheduleId, scheduleId) as number[];
    },
    /** Jobs in the live queue. */
    countJobs(): number {
      return q(`SELECT COUNT(*) FROM jobs`).pluck().get() as number;
    },
    /** PRAGMA integrity_check's answer ("ok"). */
    integrityCheck(): unknown {
      return sqlite.pragma("integrity_check", { simple: true });
    },
    /** Takes SQLite's write lock, as a long dashboard action would; returns the release. */
    holdWriteLock(): () => void {
      sqlite.exec("BEGIN IMMEDIATE");
      return () => sqlite.exec("COMMIT");
    },
    close(): void {
      if (sqlite.open) sqlite.close();
    },
  };
}

/** The reader openWorkerRows returns. */
export type WorkerRows = ReturnType<typeof openWorkerRows>;
