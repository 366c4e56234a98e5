import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createTestDatabase, skipPgTests, type TestDatabase } from "../testing/pg-cluster";
import { closePgPools, dbNow, getPgPool, isPostgresUrl, parseInt8 } from "./client";

describe("PostgreSQL URLs and int8", () => {
  it("tells postgres:// and postgresql:// URLs from SQLite paths", () => {
    expect(isPostgresUrl("postgres://u@h/db")).toBe(true);
    expect(isPostgresUrl("postgresql://u@h/db")).toBe(true);
    expect(isPostgresUrl("file:data/jobdeck.db")).toBe(false);
    expect(isPostgresUrl("data/postgres.db")).toBe(false);
    expect(isPostgresUrl(undefined)).toBe(false);
  });

  it("parses int8 as a number and refuses values a number would round", () => {
    expect(parseInt8("1796676464927")).toBe(1796676464927);
    expect(parseInt8("-9007199254740991")).toBe(-9007199254740991);
    expect(() => parseInt8("9007199254740993")).toThrow(/safe integer/);
  });
});

describe.skipIf(skipPgTests)("PostgreSQL connections", () => {
  let db: TestDatabase;
  beforeAll(async () => {
    db = await createTestDatabase();
  });
  afterAll(async () => {
    await closePgPools();
    await db?.drop();
  });

  it("reads bigint columns as numbers and names itself in pg_stat_activity", async () => {
    const pool = getPgPool(db.url, { applicationName: "jobdeck-test" });
    expect(getPgPool(db.url)).toBe(pool);
    const { rows } = await pool.query<{ n: unknown; app: string }>(
      `SELECT 1796676464927::bigint AS n, current_setting('application_name') AS app`,
    );
    expect(rows[0]).toEqual({ n: 1796676464927, app: "jobdeck-test" });
    await expect(pool.query(`SELECT 9007199254740993::bigint AS n`)).rejects.toThrow(
      /safe integer/,
    );
  });

  it("reads the database's clock in epoch milliseconds", async () => {
    const before = Date.now();
    const now = await dbNow(getPgPool(db.url));
    expect(now).toBeGreaterThanOrEqual(before - 1000);
    expect(now).toBeLessThanOrEqual(Date.now() + 1000);
  });
});
