/**
 * Seeding for the dashboard's e2e specs, synchronous so a spec can seed in one line: jobs through
 * the library's enqueue, failures by cancelling a queued job (no audit entry: seeding is not an
 * admin's action). The database is the web server's (DATABASE_URL unless given).
 */
import { cancelQueuedJob } from "../lifecycle";
import { enqueueJob, type EnqueueOptions } from "../queries/enqueue";
import { NEXT_JOB_ID } from "../queries/insert-jobs";
import { e2eDb } from "./e2e-db";

/** Enqueues one job as the library does; returns its id. */
export function seedJob(
  task: string,
  args: unknown,
  options: EnqueueOptions = {},
  url?: string,
): number {
  return enqueueJob(e2eDb(url), task, args, options);
}

/** Cancels a queued job (a failure "Cancelled by <actor>"); false when it was no longer queued. */
export function seedCancel(id: number, actor: string, url?: string): boolean {
  return cancelQueuedJob(e2eDb(url), id, actor) === "cancelled";
}

/**
 * Inserts `count` successes of `demo.noop` in group `group` in one statement (ids from the next job
 * id on, as real results share ids with their jobs); for lists that must hold more rows than a
 * spec could run. Remove them with testRows().remove("results", { group_name: group }).
 */
export function seedSuccesses(count: number, group: string, url?: string): void {
  const db = e2eDb(url);
  const first = db.$client.prepare(`SELECT ${NEXT_JOB_ID}`).pluck().get() as number;
  db.$client
    .prepare(
      `WITH RECURSIVE c(x) AS (SELECT 0 UNION ALL SELECT x + 1 FROM c WHERE x < @last)
       INSERT INTO results (id, name, task, args, queue, priority, state, group_name, result,
         created_at, started_at, stopped_at, duration_ms, attempts)
       SELECT @first + x, NULL, 'demo.noop', '{}', 'default', 0, 'success', @group, 'null', 0, 1, 2, 1, 1
       FROM c`,
    )
    .run({ first, group, last: count - 1 });
}
