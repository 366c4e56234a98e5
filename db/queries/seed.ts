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
/** Rows per seeding statement (and, on SQLite, per IMMEDIATE transaction). */
export const SEED_CHUNK = 100_000;
const CHUNK = SEED_CHUNK;
/** A seeded failure's error, from its row number `x`; valid SQL in both dialects. */
export const SEED_ERRORS = `CASE x % 4 WHEN 0 THEN 'Error: connect ECONNREFUSED 10.0.0.' || (x % 7) WHEN 1 THEN 'Timed out after 30 s (the task was stopped)'
  WHEN 2 THEN 'PermanentError: Invalid arguments for demo.sleep: ms' ELSE 'Error: payment declined for order ' || x END`;
const ERRORS = SEED_ERRORS;

/** How a dialect names the seeding statement's inputs: SQL expressions (parameters, ids). */
export interface SeedSqlInputs {
  /** The row's id. */
  id: string;
  /** Rows in this statement, the state ('success' or 'failure') and the chunk's now (epoch ms). */
  n: string;
  state: string;
  now: string;
  /** The error fingerprint of a failure, given the error's SQL. */
  fingerprint: (errors: string) => string;
}

/**
 * The columns and the SELECT list of seeded results over a row number `x` (0 to n - 1), valid in
 * both dialects: each dialect supplies the row source and its parameters' names.
 */
export function seedResultsSql(p: SeedSqlInputs): { columns: string; values: string } {
  return {
    columns: `id, name, task, args, queue, priority, state, group_name, result, error, error_stack,
      created_at, started_at, stopped_at, duration_ms, attempts, worker_id, error_fingerprint`,
    values: `${p.id}, NULL, ${TASKS},
      '{"order":' || (x * 7919 % 1000003) || ',"customer":"customer-' || (x % 5000) || '"}',
      ${QUEUES}, 0, ${p.state}, CASE WHEN x % 10 = 0 THEN 'batch-' || (x % 97) END,
      CASE WHEN ${p.state} = 'success' THEN '{"ok":true,"n":' || x || '}' END,
      CASE WHEN ${p.state} = 'failure' THEN ${ERRORS} END,
      CASE WHEN ${p.state} = 'failure' THEN 'Error\n    at run (worker/tasks/demo-fail.ts:12:11)' END,
      ${p.now} - (${p.n} - x) * 900 - 5000, ${p.now} - (${p.n} - x) * 900 - 1000 - (x % 977), ${p.now} - (${p.n} - x) * 900,
      1000 + (x % 977), 1 + (x % 3), 'seed:1:worker',
      CASE WHEN ${p.state} = 'failure' THEN ${p.fingerprint(ERRORS)} END`,
  };
}

/** The columns and SELECT list of seeded queued jobs (due an hour after now) over `x`, as above. */
export function seedQueuedSql(p: Pick<SeedSqlInputs, "id" | "now">): {
  columns: string;
  values: string;
} {
  return {
    columns: `id, id_scheme, task, args, queue, priority, state, run_at, created_at, attempts,
      max_attempts`,
    values: `${p.id}, 1, 'demo.sleep', '{"ms":' || (1000 + x % 5000) || '}', ${QUEUES}, x % 3, 'queued',
      ${p.now} + 3600000 + x, ${p.now}, 0, 3`,
  };
}

/** The next job id (read inside the chunk's write transaction): seeded rows take ids from it. */
function nextId(db: Db): number {
  return db.$client.prepare(`SELECT ${NEXT_JOB_ID}`).pluck().get() as number;
}

function insertResults(db: Db, count: number, state: ResultState, now: number): void {
  const sql = seedResultsSql({
    id: "@first + x",
    n: "@n",
    state: "@state",
    now: "@now",
    fingerprint: (errors) => `jobdeck_error_fingerprint(${errors})`,
  });
  const stmt = db.$client.prepare(`
    WITH RECURSIVE c(x) AS (SELECT 0 UNION ALL SELECT x + 1 FROM c WHERE x + 1 < @n)
    INSERT INTO results (${sql.columns})
    SELECT ${sql.values}
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
  const sql = seedQueuedSql({ id: "@first + x", now: "@now" });
  const stmt = db.$client.prepare(`
    WITH RECURSIVE c(x) AS (SELECT 0 UNION ALL SELECT x + 1 FROM c WHERE x + 1 < @n)
    INSERT INTO jobs (${sql.columns})
    SELECT ${sql.values}
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
