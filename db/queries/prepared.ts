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

/** A filter's WHERE term: its SQL (naming `@name`), the parameter's name, and its value. */
export type FilterTerm = [sql: string, name: string, value: string | number | undefined];

/**
 * The WHERE terms and parameters of the filters that are set; a value of undefined or "" means
 * "any" and adds nothing (0 is a value).
 */
export function filterTerms(terms: FilterTerm[]): { where: string[]; params: Params } {
  const where: string[] = [];
  const params: Params = {};
  for (const [sql, name, value] of terms) {
    if (value === undefined || value === "") continue;
    where.push(sql);
    params[name] = value;
  }
  return { where, params };
}
