/** Library reads: one job and its outcome by id, and the results of a group. */
import type { Db } from "../client";

/** Where a job stands: still in the queue, or finished. */
import type { JobStatus } from "../schema";

export type { JobStatus };

/** One job as the library returns it (JSON fields parsed). */
export interface JobInfo {
  id: number;
  name: string | null;
  task: string;
  args: unknown;
  queue: string;
  priority: number;
  group: string | null;
  status: JobStatus;
  attempts: number;
  result: unknown;
  error: string | null;
  errorStack: string | null;
  createdAt: number;
  runAt: number | null;
  startedAt: number | null;
  stoppedAt: number | null;
  durationMs: number | null;
  progress: number | null;
  retryOf: number | null;
  retriedAs: number | null;
}

function parse(json: string | null): unknown {
  if (json === null) return null;
  try {
    return JSON.parse(json);
  } catch {
    return json;
  }
}

const RESULT_SQL = `SELECT id, name, task, args, queue, priority, group_name AS "group", state AS status,
  attempts, result, error, error_stack AS errorStack, created_at AS createdAt, NULL AS runAt,
  started_at AS startedAt, stopped_at AS stoppedAt, duration_ms AS durationMs, NULL AS progress,
  retry_of AS retryOf, retried_as AS retriedAs FROM results`;

const JOB_SQL = `SELECT id, name, task, args, queue, priority, group_name AS "group", state AS status,
  attempts, NULL AS result, last_error AS error, NULL AS errorStack, created_at AS createdAt,
  run_at AS runAt, started_at AS startedAt, NULL AS stoppedAt, NULL AS durationMs, progress,
  retry_of AS retryOf, NULL AS retriedAs FROM jobs`;

/** A job row as read, its JSON fields still text. */
export type RawJob = Omit<JobInfo, "args" | "result"> & { args: string; result: string | null };

/** A read row as the library returns it: JSON fields parsed (text that is not JSON stays text). */
export function toInfo(row: RawJob): JobInfo {
  return { ...row, args: parse(row.args), result: parse(row.result) };
}

/** A job by id, wherever it is (queue or results); null when unknown or deleted. */
export function readJob(db: Db, id: number): JobInfo | null {
  const row = (db.$client.prepare(`${JOB_SQL} WHERE id = ?`).get(id) ??
    db.$client.prepare(`${RESULT_SQL} WHERE id = ?`).get(id)) as RawJob | undefined;
  return row ? toInfo(row) : null;
}

/** Every job of a group: finished ones first (by stop time), then those still queued or running. */
export function readGroup(db: Db, group: string): JobInfo[] {
  const done = db.$client
    .prepare(`${RESULT_SQL} WHERE group_name = ? ORDER BY stopped_at, id`)
    .all(group) as RawJob[];
  const live = db.$client
    .prepare(`${JOB_SQL} WHERE group_name = ? ORDER BY id`)
    .all(group) as RawJob[];
  return [...done, ...live].map(toInfo);
}
