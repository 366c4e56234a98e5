/**
 * Prepared statements of the dashboard's reads, cached per connection by their SQL text (the
 * lists build a handful of shapes from their filters).
 */
import type Database from "better-sqlite3";
import type { Db } from "../client";

/** Named parameters of a statement. */
export type Params = Record<string, string | number | null>;

const statementCache = new WeakMap<Database.Database, Map<string, Database.Statement>>();

/** The statement for `sql` on this connection, prepared once (at most 500 kept per connection). */
export function prepared(db: Db, sql: string): Database.Statement {
  let cache = statementCache.get(db.$client);
  if (!cache) {
    cache = new Map();
    statementCache.set(db.$client, cache);
  }
  let stmt = cache.get(sql);
  if (!stmt) {
    stmt = db.$client.prepare(sql);
    if (cache.size > 500) cache.clear();
    cache.set(sql, stmt);
  }
  return stmt;
}
