import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type pg from "pg";
import { openPgPool } from "./client";
import { withTransaction } from "./tx";
import { createTestDatabase, skipPgTests, type TestDatabase } from "../testing/pg-cluster";

describe.skipIf(skipPgTests)("withTransaction", () => {
  let database: TestDatabase;
  let pool: pg.Pool;
  beforeAll(async () => {
    database = await createTestDatabase({ migrated: false });
    pool = openPgPool(database.url, { max: 2 });
    await pool.query("CREATE TABLE t (v int PRIMARY KEY)");
  });
  afterAll(async () => {
    await pool?.end();
    await database?.drop();
  });

  it("commits the body's writes and returns its result", async () => {
    const out = await withTransaction(pool, async (c) => {
      await c.query("INSERT INTO t VALUES (1)");
      return "done";
    });
    expect(out).toBe("done");
    expect((await pool.query("SELECT count(*)::int AS n FROM t")).rows[0].n).toBe(1);
  });

  it("rolls every write back when the body throws, and hands the client back", async () => {
    await expect(
      withTransaction(pool, async (c) => {
        await c.query("INSERT INTO t VALUES (2)");
        await c.query("INSERT INTO t VALUES (1)"); // duplicate key
      }),
    ).rejects.toThrow(/duplicate key/);
    expect((await pool.query("SELECT count(*)::int AS n FROM t WHERE v = 2")).rows[0].n).toBe(0);
    expect(pool.totalCount - pool.idleCount).toBe(0);
  });

  it("retries a deadlock victim until it commits", async () => {
    await pool.query("INSERT INTO t VALUES (10), (11)");
    let tries = 0;
    // Two transactions lock 10 and 11 in opposite orders: one is chosen as the deadlock victim
    // and retried; both end committed.
    const both = await Promise.all(
      [
        [10, 11],
        [11, 10],
      ].map((order) =>
        withTransaction(pool, async (c) => {
          tries++;
          await c.query("UPDATE t SET v = v WHERE v = $1", [order[0]]);
          await new Promise((r) => setTimeout(r, 100));
          await c.query("UPDATE t SET v = v WHERE v = $1", [order[1]]);
          return order[0];
        }),
      ),
    );
    expect(both.sort()).toEqual([10, 11]);
    expect(tries).toBe(3);
  });
});
