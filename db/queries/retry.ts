/**
 * Retrying and deleting recorded failures. A retry keeps the failure and links both ways:
 * the new job has `retry_of`, the failure gets `retried_as` — so a second click (or a second
 * request racing the first) finds it already retried and creates nothing.
 */
import type { Db } from "../client";
import { insertJobs, toJobValues } from "./enqueue";

interface FailureRow {
  id: number;
  name: string | null;
  task: string;
  args: string;
  queue: string;
  priority: number;
  groupName: string | null;
  scheduleId: number | null;
}

/** What a retry did: the new job of each retried failure, and the ids skipped (gone or already retried). */
export interface RetryResult {
  retried: { failureId: number; jobId: number }[];
  skipped: number[];
}

/** Retries failures by id in one IMMEDIATE transaction (new jobs with max attempts `maxAttempts`). */
export function retryFailedJobs(
  db: Db,
  failureIds: number[],
  options: { maxAttempts?: number } = {},
): RetryResult {
  const sqlite = db.$client;
  const select = sqlite.prepare(
    `SELECT id, name, task, args, queue, priority, group_name AS groupName, schedule_id AS scheduleId
     FROM results WHERE id = ? AND state = 'failure' AND retried_as IS NULL`,
  );
  const link = sqlite.prepare(
    `UPDATE results SET retried_as = ?, retried_at = ? WHERE id = ? AND retried_as IS NULL`,
  );
  return sqlite
    .transaction((): RetryResult => {
      const now = Date.now();
      const out: RetryResult = { retried: [], skipped: [] };
      for (const failureId of new Set(failureIds)) {
        const f = select.get(failureId) as FailureRow | undefined;
        if (!f) {
          out.skipped.push(failureId);
          continue;
        }
        const row = toJobValues(
          {
            task: f.task,
            args: JSON.parse(f.args) as unknown,
            options: {
              queue: f.queue,
              priority: f.priority,
              ...(f.name ? { name: f.name } : {}),
              ...(f.groupName ? { group: f.groupName } : {}),
              ...(options.maxAttempts ? { maxAttempts: options.maxAttempts } : {}),
              retryOf: f.id,
              ...(f.scheduleId ? { scheduleId: f.scheduleId } : {}),
            },
          },
          now,
        );
        const [jobId] = insertJobs(db, [row]);
        link.run(jobId, now, f.id);
        out.retried.push({ failureId: f.id, jobId: jobId! });
      }
      return out;
    })
    .immediate();
}

/** Ids of not-yet-retried failures, optionally of one task, oldest first (for `retry-failed`). */
export function listRetryableFailureIds(db: Db, filter: { task?: string } = {}): number[] {
  const sql = `SELECT id FROM results WHERE state = 'failure' AND retried_as IS NULL
    ${filter.task ? "AND task = @task" : ""} ORDER BY stopped_at, id`;
  return db.$client
    .prepare(sql)
    .pluck()
    .all(filter.task ? { task: filter.task } : {}) as number[];
}

/** Deletes results (and their attempts) by id in one IMMEDIATE transaction; returns how many. */
export function deleteResults(db: Db, ids: number[]): number {
  const sqlite = db.$client;
  const del = sqlite.prepare(`DELETE FROM results WHERE id = ?`);
  const delAttempts = sqlite.prepare(`DELETE FROM attempts WHERE job_id = ?`);
  return sqlite
    .transaction(() => {
      let n = 0;
      for (const id of new Set(ids)) {
        const info = del.run(id);
        if (info.changes > 0) {
          delAttempts.run(id);
          n++;
        }
      }
      return n;
    })
    .immediate();
}
