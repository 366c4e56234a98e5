/**
 * Bulk seeding for trying Jobdeck at scale and for the dashboard benchmarks: successes,
 * failures and queued jobs generated inside SQLite by a recursive CTE (no row crosses into
 * JavaScript), in chunks of 100,000 rows, each its own IMMEDIATE transaction.
 */
import type { Db } from "../client";
import { NEXT_JOB_ID } from "./insert-jobs";
import type { ResultState } from "../schema";

/** How many rows of each kind to add. */
export interface SeedCounts {
  successes: number;
  failures: number;
  queued: number;
}

const TASKS = `CASE x % 5 WHEN 0 THEN 'demo.echo' WHEN 1 THEN 'demo.sleep' WHEN 2 THEN 'demo.noop' WHEN 3 THEN 'demo.flaky' ELSE 'demo.cpu' END`;
const QUEUES = `CASE x % 3 WHEN 0 THEN 'default' WHEN 1 THEN 'mail' ELSE 'reports' END`;
const CHUNK = 100_000;
const ERRORS = `CASE x % 4 WHEN 0 THEN 'Error: connect ECONNREFUSED 10.0.0.' || (x % 7) WHEN 1 THEN 'Timed out after 30 s (the task was stopped)'
  WHEN 2 THEN 'PermanentError: Invalid arguments for demo.sleep: ms' ELSE 'Error: payment declined for order ' || x END`;

/** The next job id (read inside the chunk's write transaction): seeded rows take ids from it. */
function nextId(db: Db): number {
  return db.$client.prepare(`SELECT ${NEXT_JOB_ID}`).pluck().get() as number;
}

function insertResults(db: Db, count: number, state: ResultState, now: number): void {
  const stmt = db.$client.prepare(`
    WITH RECURSIVE c(x) AS (SELECT 0 UNION ALL SELECT x + 1 FROM c WHERE x + 1 < @n)
    INSERT INTO results (id, name, task, args, queue, priority, state, group_name, result, error, error_stack,
      created_at, started_at, stopped_at, duration_ms, attempts, worker_id, error_fingerprint)
    SELECT @first + x, NULL, ${TASKS},
      '{"order":' || (x * 7919 % 1000003) || ',"customer":"customer-' || (x % 5000) || '"}',
      ${QUEUES}, 0, @state, CASE WHEN x % 10 = 0 THEN 'batch-' || (x % 97) END,
      CASE WHEN @state = 'success' THEN '{"ok":true,"n":' || x || '}' END,
      CASE WHEN @state = 'failure' THEN ${ERRORS} END,
      CASE WHEN @state = 'failure' THEN 'Error\n    at run (worker/tasks/demo-fail.ts:12:11)' END,
      @now - (@n - x) * 900 - 5000, @now - (@n - x) * 900 - 1000 - (x % 977), @now - (@n - x) * 900,
      1000 + (x % 977), 1 + (x % 3), 'seed:1:worker',
      CASE WHEN @state = 'failure' THEN jobdeck_error_fingerprint(${ERRORS}) END
    FROM c`);
  let done = 0;
  while (done < count) {
    const n = Math.min(CHUNK, count - done);
    db.$client
      .transaction(() =>
        stmt.run({ n, first: nextId(db), state, now: now - (count - done - n) * 900 }),
      )
      .immediate();
    done += n;
  }
}

function insertQueued(db: Db, count: number, now: number): void {
  const stmt = db.$client.prepare(`
    WITH RECURSIVE c(x) AS (SELECT 0 UNION ALL SELECT x + 1 FROM c WHERE x + 1 < @n)
    INSERT INTO jobs (id, id_scheme, task, args, queue, priority, state, run_at, created_at, attempts,
      max_attempts)
    SELECT @first + x, 1, 'demo.sleep', '{"ms":' || (1000 + x % 5000) || '}', ${QUEUES}, x % 3, 'queued',
      @now + 3600000 + x, @now, 0, 3
    FROM c`);
  let done = 0;
  while (done < count) {
    const n = Math.min(CHUNK, count - done);
    db.$client.transaction(() => stmt.run({ n, now, first: nextId(db) })).immediate();
    done += n;
  }
}

/** Adds the given numbers of successes, failures and (delayed by an hour) queued jobs. */
export function seedRows(db: Db, counts: SeedCounts, now = Date.now()): void {
  if (counts.successes > 0) insertResults(db, counts.successes, "success", now);
  if (counts.failures > 0) insertResults(db, counts.failures, "failure", now);
  if (counts.queued > 0) insertQueued(db, counts.queued, now);
}
