import { getTableConfig as sqliteTableConfig, SQLiteTable } from "drizzle-orm/sqlite-core";
import { getTableConfig as pgTableConfig, PgTable } from "drizzle-orm/pg-core";
import pg from "pg";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import * as sqliteSchema from "../schema";
import { createTestDatabase, skipPgTests, type TestDatabase } from "../testing/pg-cluster";
import { openPgPool } from "./client";
import * as pgSchema from "./schema";

/** Columns the PostgreSQL schema adds on purpose (sharded counts). */
const PG_ONLY_COLUMNS = new Set(["shard"]);
/** SQLite columns with no PostgreSQL twin: read from the group's newest failure instead. */
const SQLITE_ONLY_COLUMNS = new Set(["failure_groups.example", "failure_groups.last_at"]);
/** SQLite indexes with no PostgreSQL twin, and why: the groups list is aggregated over shards. */
const SQLITE_ONLY_INDEXES = new Set(["failure_groups_list_idx"]);

describe("the PostgreSQL schema", () => {
  const sqliteTables = Object.values(sqliteSchema).filter((v) => v instanceof SQLiteTable);
  const pgTables = new Map(
    Object.values(pgSchema)
      .filter((v) => v instanceof PgTable)
      .map((t) => [pgTableConfig(t).name, pgTableConfig(t)]),
  );

  it("has every SQLite table with the same columns and indexes", () => {
    expect([...pgTables.keys()].sort()).toEqual(
      sqliteTables.map((t) => sqliteTableConfig(t).name).sort(),
    );
    for (const table of sqliteTables) {
      const lite = sqliteTableConfig(table);
      const pgt = pgTables.get(lite.name)!;
      expect(
        pgt.columns.map((c) => c.name).filter((c) => !PG_ONLY_COLUMNS.has(c)),
        lite.name,
      ).toEqual(
        lite.columns
          .map((c) => c.name)
          .filter((c) => !SQLITE_ONLY_COLUMNS.has(`${lite.name}.${c}`)),
      );
      expect(pgt.indexes.map((i) => i.config.name).sort(), lite.name).toEqual(
        lite.indexes
          .map((i) => i.config.name)
          .filter((n) => !SQLITE_ONLY_INDEXES.has(n))
          .sort(),
      );
    }
  });
});

describe("the PostgreSQL columns", () => {
  it("are NOT NULL and have a default exactly where the SQLite ones do", () => {
    const pgByName = new Map(
      Object.values(pgSchema)
        .filter((v) => v instanceof PgTable)
        .map((t) => [pgTableConfig(t).name, pgTableConfig(t)]),
    );
    const differences: string[] = [];
    for (const table of Object.values(sqliteSchema).filter((v) => v instanceof SQLiteTable)) {
      const lite = sqliteTableConfig(table);
      const pgColumns = new Map(pgByName.get(lite.name)!.columns.map((c) => [c.name, c]));
      for (const c of lite.columns) {
        const p = pgColumns.get(c.name);
        if (!p || c.generated) continue;
        if (p.notNull !== c.notNull) differences.push(`${lite.name}.${c.name} notNull`);
        if (p.hasDefault !== c.hasDefault) differences.push(`${lite.name}.${c.name} default`);
      }
    }
    // results.id is the job's id on both, but SQLite's INTEGER PRIMARY KEY could default to a
    // rowid; id_scheme has a default on PostgreSQL only (its identity ids already guard what the
    // column guards on SQLite).
    expect(differences.sort()).toEqual(["jobs.id_scheme default", "results.id default"]);
  });
});

describe.skipIf(skipPgTests)("maintained counts on PostgreSQL", () => {
  let db: TestDatabase;
  let pool: pg.Pool;
  beforeAll(async () => {
    db = await createTestDatabase();
    pool = openPgPool(db.url, { max: 4 });
  });
  afterAll(async () => {
    await pool?.end();
    await db?.drop();
  });

  let nextId = 1;
  const MINUTE = 60_000 * 29_000_000;
  function result(state: "success" | "failure", error: string | null = null, task = "t.a") {
    return [nextId++, task, state, error, MINUTE + 1000 + nextId] as const;
  }
  async function insertResults(q: pg.ClientBase | pg.Pool, rows: ReturnType<typeof result>[]) {
    const values = rows
      .map(
        (_, i) =>
          `($${i * 5 + 1}::bigint, $${i * 5 + 2}, '{}', 'default', 0, $${i * 5 + 3}, $${i * 5 + 4}, 0, $${i * 5 + 5}::bigint, 1)`,
      )
      .join(", ");
    await q.query(
      `INSERT INTO results (id, task, args, queue, priority, state, error, created_at, stopped_at, attempts) VALUES ${values}`,
      rows.flat(),
    );
  }
  async function totals() {
    const { rows } = await pool.query<{
      success: number;
      failure: number;
      ms: number;
      mf: number;
    }>(
      `SELECT (SELECT coalesce(sum(value), 0)::bigint FROM counters WHERE name = 'success') AS success,
              (SELECT coalesce(sum(value), 0)::bigint FROM counters WHERE name = 'failure') AS failure,
              (SELECT coalesce(sum(success), 0)::bigint FROM stats_minutely WHERE minute = $1) AS ms,
              (SELECT coalesce(sum(failure), 0)::bigint FROM stats_minutely WHERE minute = $1) AS mf`,
      [MINUTE],
    );
    return rows[0]!;
  }
  async function groups() {
    const { rows } = await pool.query<{
      message: string;
      count: number;
      open: number;
      tasks: string;
    }>(
      `SELECT g.message, sum(g.count)::bigint AS count, sum(g.open_count)::bigint AS open,
         (SELECT string_agg(task || ':' || n, ',' ORDER BY task) FROM (
            SELECT task, sum(count) AS n FROM failure_group_tasks t WHERE t.message = g.message
            GROUP BY task HAVING sum(count) <> 0) x) AS tasks
       FROM failure_groups g GROUP BY g.message HAVING sum(g.count) <> 0 ORDER BY g.message`,
    );
    return rows;
  }

  it("counts a batch of results by state, by minute and failures by error group", async () => {
    await insertResults(pool, [
      result("success"),
      result("success"),
      result("failure", "timeout after 30 s\nstack", "t.a"),
      result("failure", "timeout after 30 s", "t.b"),
      result("failure", "boom"),
    ]);
    expect(await totals()).toEqual({ success: 2, failure: 3, ms: 2, mf: 3 });
    expect(await groups()).toEqual([
      { message: "boom", count: 1, open: 1, tasks: "t.a:1" },
      { message: "timeout after 30 s", count: 2, open: 2, tasks: "t.a:1,t.b:1" },
    ]);
  });

  it("follows retries, state changes and deletes, and folding changes no sum", async () => {
    await pool.query(`UPDATE results SET retried_as = 999 WHERE error = 'boom'`);
    expect((await groups())[0]).toEqual({ message: "boom", count: 1, open: 0, tasks: "t.a:1" });
    await pool.query(
      `UPDATE results SET state = 'success', error = NULL WHERE error = 'timeout after 30 s'`,
    );
    expect(await totals()).toMatchObject({ success: 3, failure: 2 });
    await pool.query(`DELETE FROM results WHERE error = 'boom'`);
    const before = { totals: await totals(), groups: await groups() };
    expect(before.groups).toEqual([
      { message: "timeout after 30 s", count: 1, open: 1, tasks: "t.a:1" },
    ]);
    const { rows } = await pool.query<{ folded: number }>(`SELECT jobdeck_fold_counts() AS folded`);
    expect(rows[0]!.folded).toBeGreaterThan(0);
    expect({ totals: await totals(), groups: await groups() }).toEqual(before);
    const left = await pool.query<{ n: number }>(
      `SELECT (SELECT count(*) FROM counters WHERE shard <> 0) + (SELECT count(*) FROM failure_groups)
         + (SELECT count(*) FROM failure_group_tasks) AS n`,
    );
    // One group with one task, in shard 0; the "boom" group and t.b's task were dropped.
    expect(left.rows[0]!.n).toBe(2);
  });

  it("keeps exact counts with 8 connections writing mixed batches at once", async () => {
    const before = await totals();
    const wide = openPgPool(db.url, { max: 8 });
    const writers = await Promise.all(Array.from({ length: 8 }, () => wide.connect()));
    try {
      await Promise.all(
        writers.map(async (c, w) => {
          for (let i = 0; i < 40; i++) {
            await insertResults(c, [
              result("success"),
              result("failure", `storm ${(w + i) % 3}`, `t.${i % 2}`),
              result("success"),
            ]);
          }
        }),
      );
    } finally {
      for (const c of writers) c.release();
      await wide.end();
    }
    const after = await totals();
    expect(after.success - before.success).toBe(640);
    expect(after.failure - before.failure).toBe(320);
    const storms = (await groups()).filter((g) => g.message.startsWith("storm"));
    expect(storms.reduce((n, g) => n + g.count, 0)).toBe(320);
  });

  it("lists failure groups with their newest failure as docs/POSTGRES.md reads them", async () => {
    await insertResults(pool, [
      result("failure", "list me\nfirst"),
      result("failure", "list me\nsecond"),
    ]);
    const { rows } = await pool.query(
      `SELECT g.message, g.count, g.open_count, newest.error_message AS example, newest.id
         FROM (SELECT message, sum(count)::bigint AS count, sum(open_count)::bigint AS open_count
               FROM failure_groups GROUP BY message HAVING sum(count) > 0) g
         CROSS JOIN LATERAL (SELECT id, stopped_at, error_message FROM results
               WHERE state = 'failure' AND error_group = g.message
               ORDER BY stopped_at DESC, id DESC LIMIT 1) newest
         ORDER BY g.open_count DESC, g.count DESC, newest.stopped_at DESC, g.message`,
    );
    expect(rows.find((r) => r.message === "list me")).toEqual({
      message: "list me",
      count: 2,
      open_count: 2,
      example: "list me",
      id: nextId - 1,
    });
  });

  it("lets two connections record outcomes at once: no row is shared by their writes", async () => {
    const a = await pool.connect();
    let b = await pool.connect();
    const shard = async (c: pg.PoolClient) =>
      (await c.query<{ s: number }>(`SELECT jobdeck_count_shard() AS s`)).rows[0]!.s;
    const held: pg.PoolClient[] = [];
    while ((await shard(b)) === (await shard(a))) {
      held.push(b);
      b = await pool.connect();
    }
    try {
      await a.query("BEGIN");
      await insertResults(a, [result("success"), result("failure", "same error")]);
      // Without sharding, b would wait for a's row locks until a commits.
      await b.query(`SET lock_timeout = '2s'`);
      await insertResults(b, [result("success"), result("failure", "same error")]);
      await a.query("COMMIT");
      const g = (await groups()).find((r) => r.message === "same error");
      expect(g).toMatchObject({ count: 2, open: 2 });
    } finally {
      a.release();
      b.release();
      for (const c of held) c.release();
    }
  });
});
