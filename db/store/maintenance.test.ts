import { describe, expect, it } from "vitest";
import { openDb } from "../client";
import { openPgPool } from "../pg/client";
import { pgMaintenanceStore } from "../pg/store/maintenance";
import { demoJobs } from "../queries/demo";
import { toJobValues } from "../queries/enqueue";
import { errorFingerprint } from "../queries/failure-groups";
import { DIALECTS, useTestConnection } from "../testing/dialects";
import { execSql, readRows } from "../testing/pgauth-rows";
import { sqliteMaintenanceStore } from "./maintenance";

const T0 = Date.UTC(2027, 0, 4, 10, 30); // a Monday, 10:30 UTC

describe.each(DIALECTS)("maintenance on %s", (dialect) => {
  const conn = useTestConnection(dialect);
  const store = () =>
    dialect === "sqlite"
      ? sqliteMaintenanceStore(() => conn().sqlite!)
      : pgMaintenanceStore(conn().pool!);

  it("a new database is fresh; demo jobs, seeded rows or a schedule make it not", async () => {
    expect(await store().isFreshDatabase()).toBe(true);
    await store().seedDemoSchedules(T0);
    expect(await store().isFreshDatabase()).toBe(false);
    await execSql(conn(), `DELETE FROM schedules`);
    expect(await store().isFreshDatabase()).toBe(true);
    await store().seedRows({ successes: 1, failures: 0, queued: 0 }, T0);
    expect(await store().isFreshDatabase()).toBe(false);
  });

  it("enqueues the demo's jobs as validated, ids in order, and marks the database seeded", async () => {
    const ids = await store().seedDemoJobs();
    const inputs = demoJobs();
    expect(ids).toHaveLength(inputs.length);
    expect([...ids].sort((a, b) => a - b)).toEqual(ids);
    const rows = await readRows<Record<string, unknown>>(
      conn(),
      `SELECT id, name, task, args, queue, priority, group_name, max_attempts, timeout_ms, hook,
         state, attempts, run_at - created_at AS delay FROM jobs ORDER BY id`,
    );
    expect(rows.map((r) => r.id)).toEqual(ids);
    expect(rows.map(({ id: _id, state: _s, attempts: _a, delay: _d, ...r }) => r)).toEqual(
      inputs.map((input) => {
        const v = toJobValues(input, 0);
        return {
          name: v.name,
          task: v.task,
          args: v.args,
          queue: v.queue,
          priority: v.priority,
          group_name: v.group_name,
          max_attempts: v.max_attempts,
          timeout_ms: v.timeout_ms,
          hook: v.hook,
        };
      }),
    );
    expect(rows.every((r) => r.state === "queued" && r.attempts === 0)).toBe(true);
    expect(rows.map((r) => r.delay)).toEqual(inputs.map((i) => (i.options?.delay ?? 0) * 1000));
    expect(await store().isFreshDatabase()).toBe(false);
    await execSql(conn(), `DELETE FROM jobs`);
    // The mark stays: a database seeded once is never seeded again.
    expect(await store().isFreshDatabase()).toBe(false);
  });

  it("creates the demo schedules once, in UTC, first runs planned from now", async () => {
    expect(await store().seedDemoSchedules(T0)).toBe(4);
    expect(await store().seedDemoSchedules(T0)).toBe(0);
    const rows = await readRows<{
      name: string;
      schedule_type: string;
      timezone: string;
      next_run_at: number;
      is_enabled: unknown;
    }>(
      conn(),
      `SELECT name, schedule_type, timezone, next_run_at, is_enabled FROM schedules ORDER BY id`,
    );
    expect(
      rows.map((r) => [r.name, r.schedule_type, r.timezone, r.next_run_at, !!r.is_enabled]),
    ).toEqual([
      ["Hourly digest", "hourly", "UTC", Date.UTC(2027, 0, 4, 11), true],
      ["Daily digest", "daily", "UTC", Date.UTC(2027, 0, 5, 8), true],
      ["Weekly digest", "weekly", "UTC", Date.UTC(2027, 0, 11, 8), true],
      ["Nightly cleanup", "cron", "UTC", Date.UTC(2027, 0, 5, 4), true],
    ]);
  });

  it("two processes seeding the demo schedules at once create each one once", async () => {
    const c = conn();
    const db2 = c.sqlite ? openDb({ url: c.url, migrate: false }) : null;
    const pool2 = c.pool ? openPgPool(c.url, { max: 2 }) : null;
    const other = db2 ? sqliteMaintenanceStore(() => db2) : pgMaintenanceStore(pool2!);
    try {
      const created = await Promise.all([
        store().seedDemoSchedules(T0),
        other.seedDemoSchedules(T0),
        store().seedDemoSchedules(T0),
      ]);
      expect(created.reduce((a, b) => a + b, 0)).toBe(4);
      expect(await readRows(c, `SELECT id FROM schedules`)).toHaveLength(4);
    } finally {
      db2?.$client.close();
      await pool2?.end();
    }
  });

  it("seeds successes, failures and queued jobs: the same rows on both databases", async () => {
    await store().seedRows({ successes: 1000, failures: 200, queued: 50 }, T0);
    const byState = await readRows<{ state: string; n: number; lo: number; hi: number }>(
      conn(),
      `SELECT state, count(*) AS n, min(id) AS lo, max(id) AS hi FROM results GROUP BY state ORDER BY state`,
    );
    expect(byState.map((r) => [r.state, r.n])).toEqual([
      ["failure", 200],
      ["success", 1000],
    ]);
    const [failure, success] = byState;
    // Ids follow the order of writing: successes, then failures, then the queued jobs.
    expect(success!.hi).toBeLessThan(failure!.lo);
    const [first] = await readRows<Record<string, unknown>>(
      conn(),
      `SELECT task, args, queue, priority, group_name, result, error, created_at, started_at,
         stopped_at, duration_ms, attempts, worker_id FROM results WHERE state = 'success' ORDER BY id LIMIT 1`,
    );
    expect(first).toEqual({
      task: "demo.echo",
      args: '{"order":0,"customer":"customer-0"}',
      queue: "default",
      priority: 0,
      group_name: "batch-0",
      result: '{"ok":true,"n":0}',
      error: null,
      created_at: T0 - 1000 * 900 - 5000,
      started_at: T0 - 1000 * 900 - 1000,
      stopped_at: T0 - 1000 * 900,
      duration_ms: 1000,
      attempts: 1,
      worker_id: "seed:1:worker",
    });
    const failures = await readRows<{ error: string; fp: string; stack: string }>(
      conn(),
      `SELECT error, error_fingerprint AS fp, error_stack AS stack FROM results WHERE state = 'failure'`,
    );
    for (const f of failures) expect(f.fp).toBe(errorFingerprint(f.error));
    expect(new Set(failures.map((f) => f.fp)).size).toBe(4);
    expect(failures[0]!.stack).toBe("Error\n    at run (worker/tasks/demo-fail.ts:12:11)");
    const queued = await readRows<{ id: number; task: string; run_at: number; priority: number }>(
      conn(),
      `SELECT id, task, run_at, priority FROM jobs ORDER BY id`,
    );
    expect(queued).toHaveLength(50);
    expect(queued[0]!.id).toBeGreaterThan(failure!.hi);
    expect(queued.map((q) => q.run_at)).toEqual(
      Array.from({ length: 50 }, (_, x) => T0 + 3_600_000 + x),
    );
    expect(queued.map((q) => q.priority).slice(0, 4)).toEqual([0, 1, 2, 0]);
  });

  it("seeds in chunks past 100,000 rows with every id distinct", async () => {
    await store().seedRows({ successes: 100_010, failures: 5, queued: 0 }, T0);
    const [r] = await readRows<{ n: number; d: number; hi: number }>(
      conn(),
      `SELECT count(*) AS n, count(DISTINCT id) AS d, max(stopped_at) AS hi FROM results WHERE state = 'success'`,
    );
    expect(r).toEqual({ n: 100_010, d: 100_010, hi: T0 - 900 });
  });

  it("measures throughput from real runs only, and pickup delays of the given jobs", async () => {
    await store().seedRows({ successes: 10, failures: 0, queued: 0 }, T0);
    const insert = `INSERT INTO results (id, task, args, queue, priority, state, created_at, started_at,
      stopped_at, attempts, worker_id) VALUES (?, 'demo.noop', 'null', 'default', 0, 'success', ?, ?, ?, 1, 'w1')`;
    await execSql(conn(), insert, [900_001, T0, T0 + 5, T0 + 500]);
    await execSql(conn(), insert, [900_002, T0, T0 + 20, T0 + 1000]);
    await execSql(conn(), insert, [900_003, T0 + 100, T0 + 600, T0 + 2005]);
    expect(await store().measureThroughput()).toBeCloseTo(3 / 2, 6);
    expect(await store().measurePickupDelays([900_003, 900_001, 42])).toEqual([5, 500]);
    expect(await store().measurePickupDelays([])).toEqual([]);
  });
});
