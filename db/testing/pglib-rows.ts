/**
 * Test helpers of the library and admin store suites (db/store/library.test.ts, admin.test.ts):
 * plain SQL on a test connection of either dialect, for what no store method shows (columns a
 * read does not return, audit rows) and for states no store method makes (a running job).
 */
import type { TestConnection } from "./dialects";

/** Runs `sql` (`?` placeholders) on either dialect; returns the rows (SELECT) or nothing. */
export async function sqlRows<T = Record<string, unknown>>(
  conn: TestConnection,
  sql: string,
  params: unknown[] = [],
): Promise<T[]> {
  if (conn.sqlite) {
    const stmt = conn.sqlite.$client.prepare(sql);
    if (stmt.reader) return stmt.all(...params) as T[];
    stmt.run(...params);
    return [];
  }
  let n = 0;
  const { rows } = await conn.pool!.query(
    sql.replace(/\?/g, () => `$${++n}`),
    params,
  );
  return rows as T[];
}

/** The first column of the first row of `sql` as a number (a count, on either dialect). */
export async function sqlCount(
  conn: TestConnection,
  sql: string,
  params: unknown[] = [],
): Promise<number> {
  return Number(Object.values((await sqlRows(conn, sql, params))[0]!)[0]);
}

/** Adds a task to the catalog, with a JSON Schema for its arguments when given. */
export async function addTask(
  conn: TestConnection,
  name: string,
  argsSchema: object | null = null,
): Promise<void> {
  await sqlRows(
    conn,
    `INSERT INTO tasks (name, description, example_args, args_schema, is_builtin, updated_at)
     VALUES (?, NULL, NULL, ?, ?, 0)`,
    [name, argsSchema && JSON.stringify(argsSchema), conn.sqlite ? 0 : false],
  );
}

/** Marks a queued job running, as a worker's claim would (held by worker `w`, token `t`). */
export async function markRunning(conn: TestConnection, id: number): Promise<void> {
  await sqlRows(
    conn,
    `UPDATE jobs SET state = 'running', locked_by = 'w', locked_at = 1, lease_expires_at = 2,
       claim_token = 't', attempts = attempts + 1, started_at = 1 WHERE id = ?`,
    [id],
  );
}

/** The audit log, oldest first, before/after parsed (time and id left out). */
export async function auditEntries(conn: TestConnection) {
  const rows = await sqlRows<{
    actor: string;
    action: string;
    target: string | null;
    before: string | null;
    after: string | null;
    address: string | null;
  }>(conn, `SELECT actor, action, target, before, after, address FROM audit_log ORDER BY id`);
  return rows.map((r) => ({
    ...r,
    before: r.before === null ? null : (JSON.parse(r.before) as unknown),
    after: r.after === null ? null : (JSON.parse(r.after) as unknown),
  }));
}
