/**
 * Runs the statements the SQLite side builds (db/queries/*-list.ts share their SQL builders with
 * PostgreSQL) on node-postgres: `@name` parameters become `$n` (one number per name), and a
 * drizzle table's columns become a SELECT list under their TypeScript names.
 */
import { getTableColumns, type Table } from "drizzle-orm";
import type { Params } from "../../queries/prepared";
import type { Queryable } from "../client";

/** `sql` with its `@name` parameters numbered, and their values in order. */
export function named(sql: string, params: Params): { text: string; values: unknown[] } {
  const order = new Map<string, number>();
  const values: unknown[] = [];
  const text = sql.replace(/@([A-Za-z_]\w*)/g, (_match, name: string) => {
    let n = order.get(name);
    if (n === undefined) {
      if (!(name in params)) throw new Error(`named: no value for @${name}`);
      values.push(params[name]);
      n = values.length;
      order.set(name, n);
    }
    return `$${n}`;
  });
  return { text, values };
}

/** Runs a statement with `@name` parameters; returns its rows. */
export async function queryNamed<R extends object>(
  db: Queryable,
  sql: string,
  params: Params,
): Promise<R[]> {
  const { text, values } = named(sql, params);
  const { rows } = await db.query<R & pg_QueryResultRow>(text, values);
  return rows;
}

type pg_QueryResultRow = Record<string, unknown>;

/** `column AS "key"` for every column of a drizzle table (rows come back as its row type). */
export function selectColumns(table: Table, alias?: string): string {
  const prefix = alias ? `${alias}.` : "";
  return Object.entries(getTableColumns(table))
    .map(([key, column]) => `${prefix}${column.name} AS "${key}"`)
    .join(", ");
}
