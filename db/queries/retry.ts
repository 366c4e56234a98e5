/**
 * Which failures a bulk retry takes. The retry itself (a new job with every setting of the
 * failed one, linked both ways) is db/lifecycle.ts's retryFailedJobs.
 */
import type { Db } from "../client";

/** Ids of not-yet-retried failures, optionally of one task, oldest first (for `retry-failed`). */
export function listRetryableFailureIds(db: Db, filter: { task?: string } = {}): number[] {
  const sql = `SELECT id FROM results WHERE state = 'failure' AND retried_as IS NULL
    ${filter.task ? "AND task = @task" : ""} ORDER BY stopped_at, id`;
  return db.$client
    .prepare(sql)
    .pluck()
    .all(filter.task ? { task: filter.task } : {}) as number[];
}
