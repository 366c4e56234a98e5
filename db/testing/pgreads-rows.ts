/**
 * Rows for the ReadStore's suite (db/store/reads.test.ts), written the same way on either
 * dialect: plain INSERTs with snake_case columns (the triggers keep counters, stats and failure
 * groups as real outcomes do), and a way to read a table back.
 */
import type { TestConnection } from "./dialects";

type Row = Record<string, string | number | boolean | null>;

/** Inserts `rows` into `table` (all with the columns of the first row), in one statement. */
export async function insertRows(conn: TestConnection, table: string, rows: Row[]): Promise<void> {
  if (rows.length === 0) return;
  const columns = Object.keys(rows[0]!);
  if (conn.pool) {
    const values: unknown[] = [];
    const tuples = rows.map(
      (row) =>
        `(${columns
          .map((c) => {
            values.push(row[c] ?? null);
            return `$${values.length}`;
          })
          .join(", ")})`,
    );
    await conn.pool.query(
      `INSERT INTO ${table} (${columns.join(", ")}) VALUES ${tuples.join(", ")}`,
      values,
    );
    return;
  }
  const sqlite = conn.sqlite!.$client;
  const insert = sqlite.prepare(
    `INSERT INTO ${table} (${columns.join(", ")}) VALUES (${columns.map(() => "?").join(", ")})`,
  );
  sqlite.transaction(() => {
    for (const row of rows)
      insert.run(
        ...columns.map((c) => {
          const v = row[c] ?? null;
          return typeof v === "boolean" ? (v ? 1 : 0) : v;
        }),
      );
  })();
}

/** Runs one statement (`?` placeholders; numbered for PostgreSQL) on the test database. */
export async function execSql(
  conn: TestConnection,
  sql: string,
  params: (string | number | null)[] = [],
): Promise<void> {
  if (conn.pool) {
    let n = 0;
    await conn.pool.query(
      sql.replace(/\?/g, () => `$${++n}`),
      params,
    );
    return;
  }
  conn.sqlite!.$client.prepare(sql).run(...params);
}

/**
 * On PostgreSQL, folds the writers' count shards into shard 0 (upkeep's jobdeck_fold_counts()), so
 * a test sees reads summing folded and unfolded shards; nothing to do on SQLite.
 */
export async function foldCounts(conn: TestConnection): Promise<void> {
  if (conn.pool) await conn.pool.query(`SELECT jobdeck_fold_counts()`);
}

/** A finished job's row with defaults for what a test does not care about. */
export function resultRow(id: number, over: Row = {}): Row {
  return {
    id,
    name: null,
    task: "demo.echo",
    args: "{}",
    queue: "default",
    priority: 0,
    state: "success",
    group_name: null,
    result: "null",
    error: null,
    error_fingerprint: null,
    created_at: 0,
    started_at: 1_000,
    stopped_at: 2_000,
    duration_ms: 1_000,
    attempts: 1,
    worker_id: null,
    retry_of: null,
    retried_as: null,
    schedule_id: null,
    ...over,
  };
}

/** A live job's row (queued unless `over` says otherwise) with defaults. */
export function jobRow(id: number, over: Row = {}): Row {
  return {
    id,
    id_scheme: 1,
    name: null,
    task: "demo.noop",
    args: "{}",
    queue: "default",
    priority: 0,
    state: "queued",
    group_name: null,
    run_at: 1_000,
    created_at: 1_000,
    attempts: 0,
    locked_by: null,
    started_at: null,
    lease_expires_at: null,
    retry_of: null,
    schedule_id: null,
    ...over,
  };
}
