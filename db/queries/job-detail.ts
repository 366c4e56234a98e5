/** One job, live or finished, with its attempts and its retry lineage (the job page). */
import type { Db } from "../client";
import type { AttemptRow, JobStatus } from "../schema";
import { prepared } from "./prepared";

/** Where a job is now: queued/running in `jobs`, success/failure in `results`, or gone. */
export type JobLocation = JobStatus | "deleted";

/** One link of a retry chain. */
export interface LineageLink {
  id: number;
  state: JobLocation;
}

/** Everything the job page shows about one job. */
export interface JobDetail {
  id: number;
  state: Exclude<JobLocation, "deleted">;
  name: string | null;
  task: string;
  args: string;
  queue: string;
  priority: number;
  groupName: string | null;
  createdAt: number;
  runAt: number | null;
  startedAt: number | null;
  stoppedAt: number | null;
  durationMs: number | null;
  attempts: number;
  maxAttempts: number | null;
  /** The job's own timeout (ms); null: the worker's --timeout. */
  timeoutMs: number | null;
  /** The task enqueued when the job ends, if any. */
  hook: string | null;
  workerId: string | null;
  leaseExpiresAt: number | null;
  progress: number | null;
  progressMessage: string | null;
  cancelRequestedAt: number | null;
  result: string | null;
  error: string | null;
  errorStack: string | null;
  retryOf: number | null;
  retriedAs: number | null;
  retriedAt: number | null;
  scheduleId: number | null;
  scheduleName: string | null;
  attemptRows: AttemptRow[];
  /** Earlier jobs this one retries, oldest first. */
  ancestors: LineageLink[];
  /** Later retries of this job, in order. */
  descendants: LineageLink[];
}

/** Where a job of a retry chain is and its links. */
export interface LocatedJob {
  state: Exclude<JobLocation, "deleted">;
  retryOf: number | null;
  retriedAs: number | null;
}

function locateJob(db: Db, id: number): LocatedJob | null {
  const live = prepared(
    db,
    `SELECT state, retry_of AS retryOf, NULL AS retriedAs FROM jobs WHERE id = ?`,
  ).get(id) as LocatedJob | undefined;
  if (live) return live;
  const done = prepared(
    db,
    `SELECT state, retry_of AS retryOf, retried_as AS retriedAs FROM results WHERE id = ?`,
  ).get(id) as LocatedJob | undefined;
  return done ?? null;
}

/** Most links of a retry chain shown each way. */
export const MAX_LINEAGE = 20;

/** Follows retry links from a job: `up` through retry_of, `down` through retried_as (at most 20 steps). */
export function followLineage(
  locate: (id: number) => LocatedJob | null,
  start: number | null,
  direction: "up" | "down",
): LineageLink[] {
  const links: LineageLink[] = [];
  const seen = new Set<number>();
  let next = start;
  while (next !== null && links.length < MAX_LINEAGE && !seen.has(next)) {
    seen.add(next);
    const found = locate(next);
    links.push({ id: next, state: found?.state ?? "deleted" });
    next = found ? (direction === "up" ? found.retryOf : found.retriedAs) : null;
    if (direction === "down" && found && found.state !== "failure") next = null;
  }
  return direction === "up" ? links.reverse() : links;
}

/** One job by id, from the live queue or the results, with attempts and retry lineage; null if unknown. */
export function getJob(db: Db, id: number): JobDetail | null {
  const live = prepared(
    db,
    `SELECT id, state, name, task, args, queue, priority, group_name AS groupName, created_at AS createdAt,
       run_at AS runAt, started_at AS startedAt, NULL AS stoppedAt, NULL AS durationMs, attempts,
       max_attempts AS maxAttempts, timeout_ms AS timeoutMs, hook, locked_by AS workerId, lease_expires_at AS leaseExpiresAt, progress,
       progress_message AS progressMessage, cancel_requested_at AS cancelRequestedAt, NULL AS result,
       last_error AS error, NULL AS errorStack, retry_of AS retryOf, NULL AS retriedAs, NULL AS retriedAt,
       schedule_id AS scheduleId
     FROM jobs WHERE id = ?`,
  ).get(id);
  const done =
    live ??
    prepared(
      db,
      `SELECT id, state, name, task, args, queue, priority, group_name AS groupName, created_at AS createdAt,
         NULL AS runAt, started_at AS startedAt, stopped_at AS stoppedAt, duration_ms AS durationMs, attempts,
         max_attempts AS maxAttempts, timeout_ms AS timeoutMs, hook, worker_id AS workerId, NULL AS leaseExpiresAt, NULL AS progress,
         NULL AS progressMessage, NULL AS cancelRequestedAt, result, error, error_stack AS errorStack,
         retry_of AS retryOf, retried_as AS retriedAs, retried_at AS retriedAt, schedule_id AS scheduleId
       FROM results WHERE id = ?`,
    ).get(id);
  if (!done) return null;
  const row = done as Omit<JobDetail, "attemptRows" | "ancestors" | "descendants" | "scheduleName">;
  const attemptRows = prepared(
    db,
    `SELECT id, job_id AS jobId, attempt, worker_id AS workerId, outcome, started_at AS startedAt,
       stopped_at AS stoppedAt, duration_ms AS durationMs, error, error_stack AS errorStack
     FROM attempts WHERE job_id = ? ORDER BY attempt, id`,
  ).all(id) as AttemptRow[];
  const scheduleName =
    row.scheduleId === null
      ? null
      : ((prepared(db, `SELECT name FROM schedules WHERE id = ?`).pluck().get(row.scheduleId) as
          string | undefined) ?? null);
  return {
    ...row,
    scheduleName,
    attemptRows,
    ancestors: followLineage((id) => locateJob(db, id), row.retryOf, "up"),
    descendants: followLineage((id) => locateJob(db, id), row.retriedAs, "down"),
  };
}
