/**
 * Row-level access for tests and the e2e specs that must seed or look at rows the store has no
 * method for (inserting a crafted result, counting a table, reading a job's raw columns). SQL
 * stays here, inside db/; callers name a table and columns, never write a statement.
 */
import { openDb, resolveDatabasePath, type Db } from "../client";
import { NEXT_JOB_ID } from "../queries/insert-jobs";

/** Tables a test may touch. */
export type TestTable =
  | "jobs"
  | "results"
  | "attempts"
  | "schedules"
  | "audit_log"
  | "sessions"
  | "login_attempts"
  | "users"
  | "api_tokens";

/** A column's condition: a value (null: IS NULL), a list (IN), or `{ gt }` / `{ lt }`. */
export type Condition =
  string | number | null | (string | number)[] | { gt: number } | { lt: number };

/** Conditions on columns (snake_case), all of which must hold. */
export type Where = Record<string, Condition>;

const IDENTIFIER = /^[a-z_][a-z0-9_]*$/;

function name(identifier: string): string {
  if (!IDENTIFIER.test(identifier)) throw new Error(`Not a column or table name: ${identifier}`);
  return identifier;
}

function whereClause(where: Where = {}): { sql: string; params: unknown[] } {
  const parts: string[] = [];
  const params: unknown[] = [];
  for (const [column, condition] of Object.entries(where)) {
    const c = name(column);
    if (condition === null) parts.push(`${c} IS NULL`);
    else if (Array.isArray(condition)) {
      parts.push(`${c} IN (${condition.map(() => "?").join(",") || "NULL"})`);
      params.push(...condition);
    } else if (typeof condition === "object") {
      parts.push("gt" in condition ? `${c} > ?` : `${c} < ?`);
      params.push("gt" in condition ? condition.gt : condition.lt);
    } else {
      parts.push(`${c} = ?`);
      params.push(condition);
    }
  }
  return { sql: parts.length ? ` WHERE ${parts.join(" AND ")}` : "", params };
}

/** Row helpers on one database. */
export interface TestRows {
  /** How many rows of `table` match. */
  count(table: TestTable, where?: Where): number;
  /** The matching rows (every column, snake_case), by id ascending. */
  rows(table: TestTable, where?: Where): Record<string, unknown>[];
  /** The first matching row, or undefined. */
  row(table: TestTable, where?: Where): Record<string, unknown> | undefined;
  /** The largest id of `table` (0 when empty). */
  maxId(table: TestTable): number;
  /** Inserts one row (snake_case columns); returns its rowid. */
  insert(table: TestTable, values: Record<string, unknown>): number;
  /** Sets columns of the matching rows; returns how many changed. */
  update(table: TestTable, where: Where, set: Record<string, unknown>): number;
  /** Deletes the matching rows; returns how many. */
  remove(table: TestTable, where: Where): number;
  /** The id the next job will take (job ids are never reused). */
  nextJobId(): number;
  /** Closes this helper's connection. */
  close(): void;
}

/** Builds the row helpers over a connection. */
function rowsOn(db: Db): TestRows {
  const client = db.$client;
  const helpers: TestRows = {
    count(table, where) {
      const w = whereClause(where);
      return client
        .prepare(`SELECT COUNT(*) FROM ${name(table)}${w.sql}`)
        .pluck()
        .get(...w.params) as number;
    },
    rows(table, where) {
      const w = whereClause(where);
      return client
        .prepare(`SELECT * FROM ${name(table)}${w.sql} ORDER BY rowid`)
        .all(...w.params) as Record<string, unknown>[];
    },
    row(table, where) {
      return helpers.rows(table, where)[0];
    },
    maxId(table) {
      return (
        (client
          .prepare(`SELECT MAX(rowid) FROM ${name(table)}`)
          .pluck()
          .get() as number | null) ?? 0
      );
    },
    insert(table, values) {
      const columns = Object.keys(values).map(name);
      const info = client
        .prepare(
          `INSERT INTO ${name(table)} (${columns.join(", ")}) VALUES (${columns.map(() => "?").join(", ")})`,
        )
        .run(...Object.values(values));
      return Number(info.lastInsertRowid);
    },
    update(table, where, set) {
      const w = whereClause(where);
      const columns = Object.keys(set).map((c) => `${name(c)} = ?`);
      return client
        .prepare(`UPDATE ${name(table)} SET ${columns.join(", ")}${w.sql}`)
        .run(...Object.values(set), ...w.params).changes;
    },
    remove(table, where) {
      const w = whereClause(where);
      return client.prepare(`DELETE FROM ${name(table)}${w.sql}`).run(...w.params).changes;
    },
    nextJobId() {
      return client.prepare(`SELECT ${NEXT_JOB_ID}`).pluck().get() as number;
    },
    close() {
      client.close();
    },
  };
  return helpers;
}

const opened = new Map<string, TestRows>();

/**
 * Row helpers on the database at `url` (default DATABASE_URL), on a connection of their own
 * opened once per process (no migrations: the process under test applies them).
 */
export function testRows(url?: string): TestRows {
  const location = resolveDatabasePath(url);
  let rows = opened.get(location);
  if (!rows) {
    const db = openDb({ url: location, migrate: false });
    const own = rowsOn(db);
    rows = {
      ...own,
      close: () => {
        opened.delete(location);
        own.close();
      },
    };
    opened.set(location, rows);
  }
  return rows;
}
