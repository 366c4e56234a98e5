/**
 * One behavioural suite, both databases (issue 17): a fresh database of either dialect per test,
 * so a suite written once runs on SQLite and on the throwaway PostgreSQL cluster.
 *
 *   describe.each(DIALECTS)("reads on %s", (dialect) => {
 *     const conn = useTestConnection(dialect);
 *     it("…", async () => { const store = conn().store; … });
 *   });
 */
import type pg from "pg";
import { afterEach, beforeEach } from "vitest";
import type { Db } from "../client";
import { openPgPool } from "../pg/client";
import { createTestDatabase, skipPgTests } from "./pg-cluster";
import { openTestDb } from "../queries/test-db";

/** The databases Jobdeck runs on. */
export type Dialect = "sqlite" | "postgres";

/** The dialects this run tests: both, unless JOBDECK_SKIP_PG=1. */
export const DIALECTS: readonly Dialect[] = skipPgTests ? ["sqlite"] : ["sqlite", "postgres"];

/** A fresh, migrated database of one dialect. Exactly one of `sqlite` and `pool` is set. */
export interface TestConnection {
  dialect: Dialect;
  /** DATABASE_URL for it (a file path, or a postgres:// URL). */
  url: string;
  sqlite: Db | null;
  pool: pg.Pool | null;
  /** Closes the connection and removes the database. */
  close(): Promise<void>;
}

/** Opens a fresh, migrated database of `dialect`. */
export async function openTestConnection(dialect: Dialect): Promise<TestConnection> {
  if (dialect === "sqlite") {
    const { db, file, cleanup } = openTestDb();
    return { dialect, url: file, sqlite: db, pool: null, close: async () => cleanup() };
  }
  const database = await createTestDatabase();
  const pool = openPgPool(database.url, { max: 4 });
  return {
    dialect,
    url: database.url,
    sqlite: null,
    pool,
    close: async () => {
      await pool.end();
      await database.drop();
    },
  };
}

/** Opens a fresh database of `dialect` before each test and removes it after; returns an accessor. */
export function useTestConnection(dialect: Dialect): () => TestConnection {
  let current: TestConnection | null = null;
  beforeEach(async () => {
    current = await openTestConnection(dialect);
  });
  afterEach(async () => {
    await current?.close();
    current = null;
  });
  return () => {
    if (!current) throw new Error("useTestConnection: no test is running");
    return current;
  };
}
