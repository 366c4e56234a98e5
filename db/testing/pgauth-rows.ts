/**
 * Test helpers of the auth and maintenance suites (db/store/{auth,maintenance}.test.ts): read rows
 * and open a second connection on either dialect's test database, so a suite checks what a store
 * wrote without a store method for it.
 */
import { openDb } from "../client";
import { openPgPool } from "../pg/client";
import { sqliteAuthStore, type AuthStore } from "../store/auth";
import { pgAuthStore } from "../pg/store/auth";
import type { TestConnection } from "./dialects";

/** Runs `sql` (with `?` placeholders) on the test database of either dialect; returns its rows. */
export async function readRows<T = Record<string, unknown>>(
  conn: TestConnection,
  sql: string,
  params: unknown[] = [],
): Promise<T[]> {
  if (conn.sqlite) return conn.sqlite.$client.prepare(sql).all(...params) as T[];
  let n = 0;
  const { rows } = await conn.pool!.query(
    sql.replace(/\?/g, () => `$${++n}`),
    params,
  );
  return rows as T[];
}

/** Every audit entry, oldest first. */
export function auditRows(conn: TestConnection) {
  return readRows<{
    action: string;
    actor: string;
    target: string | null;
    before: string | null;
    after: string | null;
    address: string | null;
  }>(conn, `SELECT action, actor, target, before, after, address FROM audit_log ORDER BY id`);
}

/** An auth store on a second connection (another pool) to the same database, and its closer. */
export function secondAuthStore(conn: TestConnection): {
  store: AuthStore;
  close(): Promise<void>;
} {
  if (conn.sqlite) {
    const db = openDb({ url: conn.url, migrate: false });
    return { store: sqliteAuthStore(() => db), close: async () => void db.$client.close() };
  }
  const pool = openPgPool(conn.url, { max: 4 });
  return { store: pgAuthStore(pool), close: () => pool.end() };
}

/** Runs a statement (with `?` placeholders) that returns no rows, on either dialect. */
export async function execSql(conn: TestConnection, sql: string, params: unknown[] = []) {
  if (conn.sqlite) {
    conn.sqlite.$client.prepare(sql).run(...params);
    return;
  }
  let n = 0;
  await conn.pool!.query(
    sql.replace(/\?/g, () => `$${++n}`),
    params,
  );
}
