/**
 * The upkeep store group (UpkeepStore) on both databases: the worker's own row, lease rescue
 * (back to the queue, or the final failure with its hook exactly once, also with two sweeps at
 * once), retention, housekeeping (PostgreSQL: the counters' fold), the task catalog, and schedule
 * firing by three schedulers at once giving exactly one job per (schedule, fire time).
 */
import type pg from "pg";
import { afterEach, describe, expect, it } from "vitest";
import { openDb, type Db } from "../client";
import { openPgPool } from "../pg/client";
import { pgLibraryStore } from "../pg/store/library";
import { pgUpkeepStore } from "../pg/store/upkeep";
import { pgWorkerStore } from "../pg/store/worker";
import { openSqliteWorkerStore } from "../sqlite/worker-store";
import { DIALECTS, useTestConnection } from "../testing/dialects";
import { sqlCount, sqlRows } from "../testing/pglib-rows";
import { sqliteLibraryStore, type LibraryStore } from "./library";
import { sqliteUpkeepStore, type UpkeepStore } from "./upkeep";
import type { ClaimedJob, Outcome, WorkerStore } from "./worker";

const LEASE = 30_000;
const DAY = 86_400_000;
const MIN = 60_000;
const T0 = Date.UTC(2030, 0, 1, 12, 0, 0);

describe.each(DIALECTS)("upkeep store on %s", (dialect) => {
  const conn = useTestConnection(dialect);
  const cleanups: (() => Promise<void>)[] = [];
  afterEach(async () => {
    await Promise.all(cleanups.splice(0).map((c) => c()));
  });
  const upkeep = (): UpkeepStore =>
    dialect === "sqlite" ? sqliteUpkeepStore(() => conn().sqlite!) : pgUpkeepStore(conn().pool!);
  /** An upkeep store on a connection (SQLite) or pool (PostgreSQL) of its own: another process. */
  function otherUpkeep(): UpkeepStore {
    if (dialect === "sqlite") {
      const db: Db = openDb({ url: conn().url, migrate: false });
      cleanups.push(async () => void db.$client.close());
      return sqliteUpkeepStore(() => db);
    }
    const pool: pg.Pool = openPgPool(conn().url, { max: 3 });
    cleanups.push(() => pool.end());
    return pgUpkeepStore(pool);
  }
  function worker(id = "w1"): WorkerStore {
    const s =
      dialect === "sqlite"
        ? openSqliteWorkerStore(conn().url, id)
        : pgWorkerStore(conn().url, id, { log: () => {}, listen: false });
    cleanups.push(() => s.close());
    return s;
  }
  const library = (): LibraryStore =>
    dialect === "sqlite" ? sqliteLibraryStore(() => conn().sqlite!) : pgLibraryStore(conn().pool!);
  const rows = <T = Record<string, unknown>>(sql: string, params: unknown[] = []) =>
    sqlRows<T>(conn(), sql, params);
  const count = (sql: string, params: unknown[] = []) => sqlCount(conn(), sql, params);
  const success = (job: ClaimedJob, stoppedAt = job.startedAt + 5): Outcome => ({
    kind: "success",
    job,
    stoppedAt,
    result: "null",
  });

  it("registers a worker, records its heartbeat and its stop, and prunes it later", async () => {
    const store = upkeep();
    const before = Date.now();
    await store.registerWorker({
      id: "w1",
      host: "h",
      pid: 42,
      concurrency: 4,
      queues: ["a", "b"],
    });
    await store.registerWorker({ id: "w2", host: "h", pid: 43, concurrency: 1, queues: null });
    const [w1, w2] = await rows<Record<string, unknown>>(
      `SELECT id, host, pid, concurrency, queues, started_at, last_heartbeat_at, stopped_at, jobs_done
       FROM workers ORDER BY id`,
    );
    expect(w1).toMatchObject({ id: "w1", host: "h", pid: 42, concurrency: 4, queues: "a,b" });
    expect(w1).toMatchObject({ stopped_at: null, jobs_done: 0 });
    expect(w1!.started_at).toBe(w1!.last_heartbeat_at);
    expect(Math.abs((w1!.started_at as number) - before)).toBeLessThan(5_000);
    expect(w2).toMatchObject({ queues: "*" });
    await store.heartbeatWorker("w1", T0);
    await store.markWorkerStopped("w2", T0 + 5);
    expect(await rows(`SELECT id, last_heartbeat_at, stopped_at FROM workers ORDER BY id`)).toEqual(
      [
        { id: "w1", last_heartbeat_at: T0, stopped_at: null },
        { id: "w2", last_heartbeat_at: T0 + 5, stopped_at: T0 + 5 },
      ],
    );
    await store.heartbeatWorker("w1");
    const [again] = await rows<{ t: number }>(
      `SELECT last_heartbeat_at AS t FROM workers WHERE id = 'w1'`,
    );
    expect(Math.abs(again!.t - Date.now())).toBeLessThan(5_000);
    await store.heartbeatWorker("w1", T0 + 10 * DAY);
    await store.pruneHousekeeping(T0 + 5 + 7 * DAY + 1);
    expect(await rows(`SELECT id FROM workers`)).toEqual([{ id: "w1" }]);
  });

  it("rescues expired leases: requeued, or failed with the hook once; late outcomes are lost", async () => {
    const lib = library();
    const again = await lib.enqueue("demo.noop", {}, { maxAttempts: 3 });
    const spent = await lib.enqueue("demo.noop", {}, { maxAttempts: 1, hook: "demo.echo" });
    const cancelled = await lib.enqueue("demo.noop", {}, { maxAttempts: 3 });
    const w = worker();
    const claimed = await w.claimJobs(3, null, LEASE);
    const live = await lib.enqueue("demo.noop", {}, {});
    await w.claimJobs(1, null, 10 * LEASE);
    await rows(`UPDATE jobs SET cancel_requested_at = 1 WHERE id = ?`, [cancelled]);
    const at = Date.now() + 2 * LEASE;

    const result = await upkeep().rescueExpiredLeases(at);
    expect(result.requeued).toEqual([again]);
    expect([...result.failed].sort((a, b) => a - b)).toEqual([spent, cancelled]);
    expect(await upkeep().rescueExpiredLeases(at)).toEqual({ requeued: [], failed: [] });

    const [queued] = await rows<{ state: string; attempts: number; last_error: string }>(
      `SELECT state, attempts, last_error FROM jobs WHERE id = ?`,
      [again],
    );
    expect(queued).toMatchObject({ state: "queued", attempts: 1 });
    expect(queued!.last_error).toMatch(
      /^Lost: its worker stopped renewing its lease .* attempt 1\nWorker: w1$/,
    );
    const results = await rows<{
      id: number;
      state: string;
      error: string;
      worker_id: string;
      stopped_at: number;
    }>(`SELECT id, state, error, worker_id, stopped_at FROM results ORDER BY id`);
    expect(results.map((r) => [r.id, r.state, r.worker_id, r.stopped_at])).toEqual([
      [spent, "failure", "w1", at],
      [cancelled, "failure", "w1", at],
    ]);
    expect(results[0]!.error).toMatch(/^Lost: /);
    expect(results[1]!.error).toMatch(/^Cancelled on request: its worker stopped/);
    expect(await rows(`SELECT job_id, outcome FROM attempts ORDER BY job_id`)).toEqual([
      { job_id: again, outcome: "lost" },
      { job_id: spent, outcome: "lost" },
      { job_id: cancelled, outcome: "lost" },
    ]);
    const hooks = await rows<{ args: string }>(`SELECT args FROM jobs WHERE task = 'demo.echo'`);
    expect(hooks).toHaveLength(1);
    expect(JSON.parse(hooks[0]!.args)).toMatchObject({ jobId: spent, state: "failure" });
    const [state] = await rows<{ state: string }>(`SELECT state FROM jobs WHERE id = ?`, [live]);
    expect(state!.state).toBe("running");
    // The worker that lost them reports late: nothing is written.
    const lost = await w.recordOutcomes(claimed.map((j) => success(j)));
    expect(lost.sort((a, b) => a - b)).toEqual([again, spent, cancelled]);
    expect(await count(`SELECT count(*) FROM results`)).toBe(2);
  });

  it("two sweeps at once rescue each job once", async () => {
    const ids = await library().enqueueMany(
      Array.from({ length: 40 }, (_, i) => ({
        task: "demo.noop",
        args: { i },
        options: { maxAttempts: i % 2 === 0 ? 1 : 3, hook: "demo.echo" },
      })),
    );
    await worker().claimJobs(40, null, LEASE);
    const at = Date.now() + 2 * LEASE;
    const sweeps = await Promise.all(
      [otherUpkeep(), otherUpkeep()].map((u) => u.rescueExpiredLeases(at)),
    );
    const all = sweeps.flatMap((r) => [...r.requeued, ...r.failed]);
    expect(all.sort((a, b) => a - b)).toEqual(ids);
    expect(await count(`SELECT count(*) FROM attempts`)).toBe(40);
    expect(await count(`SELECT count(*) FROM results`)).toBe(20);
    expect(await count(`SELECT count(*) FROM jobs WHERE task = 'demo.echo'`)).toBe(20);
  });

  it("prunes successes by count and age and failures by age; folds the counters", async () => {
    const ids = await library().enqueueMany(
      Array.from({ length: 6 }, (_, i) => ({ task: "demo.noop", args: { i } })),
    );
    const w = worker();
    const jobs = await w.claimJobs(6, null, LEASE);
    // Five successes a millisecond apart, and one failure.
    const outcomes: Outcome[] = jobs.slice(0, 5).map((j, i) => success(j, j.startedAt + 10 + i));
    outcomes.push({
      kind: "error",
      job: jobs[5]!,
      stoppedAt: jobs[5]!.startedAt + 10,
      error: "Boom",
      stack: null,
      attemptOutcome: "error",
      retryAt: null,
    });
    expect(await w.recordOutcomes(outcomes)).toEqual([]);
    const store = upkeep();
    const keep = { saveLimit: 2, saveDays: 0, failureDays: 0 };
    expect(await store.pruneResults(keep)).toEqual({ successes: 3, failures: 0 });
    expect(await rows(`SELECT id FROM results WHERE state = 'success' ORDER BY id`)).toEqual([
      { id: ids[3] },
      { id: ids[4] },
    ]);
    expect(await store.pruneResults(keep)).toEqual({ successes: 0, failures: 0 });
    const later = Date.now() + 3 * DAY;
    expect(await store.pruneResults({ saveLimit: 0, saveDays: 2, failureDays: 2 }, later)).toEqual({
      successes: 2,
      failures: 1,
    });
    expect(await count(`SELECT count(*) FROM results`)).toBe(0);
    expect(await count(`SELECT count(*) FROM attempts`)).toBe(0);
    const counted = `SELECT COALESCE(sum(value), 0) FROM counters WHERE name = 'success'`;
    expect(await count(counted)).toBe(0);
    await store.pruneHousekeeping();
    expect(await count(counted)).toBe(0);
    if (dialect === "postgres") {
      expect(await count(`SELECT count(*) FROM counters WHERE shard <> 0`)).toBe(0);
      expect(await count(`SELECT count(*) FROM stats_minutely WHERE shard <> 0`)).toBe(0);
    }
  });

  it("syncs the task catalog, and enqueue follows at once", async () => {
    const store = upkeep();
    const lib = library();
    await expect(lib.enqueue("custom.mail", {}, {})).rejects.toThrow();
    const task = {
      name: "custom.mail",
      description: "Sends mail",
      exampleArgs: `{"to":"a"}`,
      argsSchema: JSON.stringify({ type: "object", required: ["to"] }),
      isBuiltin: false,
    };
    await store.syncTaskCatalog([task, { ...task, name: "custom.b", argsSchema: null }]);
    expect(await lib.enqueue("custom.mail", { to: "x" }, {})).toBeGreaterThan(0);
    await expect(lib.enqueue("custom.mail", {}, {})).rejects.toThrow();
    await store.syncTaskCatalog([{ ...task, description: "Sends more mail", argsSchema: null }]);
    expect(await lib.enqueue("custom.mail", {}, {})).toBeGreaterThan(0);
    expect(
      await rows(
        `SELECT name, description, example_args, args_schema FROM tasks WHERE name LIKE 'custom.%' ORDER BY name`,
      ),
    ).toEqual([
      {
        name: "custom.b",
        description: "Sends mail",
        example_args: `{"to":"a"}`,
        args_schema: null,
      },
      {
        name: "custom.mail",
        description: "Sends more mail",
        example_args: `{"to":"a"}`,
        args_schema: null,
      },
    ]);
  });

  it("three schedulers at once fire exactly one job per schedule and fire time", async () => {
    const lib = library();
    const every = await lib.createSchedule(
      { name: "tick", task: "demo.noop", scheduleType: "minutes", minutes: 1, nextRunAt: T0 },
      T0,
    );
    const all = await lib.createSchedule(
      {
        name: "all",
        task: "demo.noop",
        scheduleType: "minutes",
        minutes: 1,
        nextRunAt: T0,
        catchUp: "all",
      },
      T0,
    );
    const schedulers = [otherUpkeep(), otherUpkeep(), otherUpkeep()];
    let fired = 0;
    for (let i = 0; i <= 10; i++) {
      const now = T0 + i * 30_000 + (i >= 4 ? 5 * MIN : 0);
      const reports = await Promise.all(schedulers.map((s) => s.fireDueSchedules(now)));
      for (const r of reports) {
        expect(r.errors).toEqual([]);
        fired += r.fired.length;
      }
    }
    const runs = await rows<{ schedule_id: number; fire_at: number; job_id: number }>(
      `SELECT schedule_id, fire_at, job_id FROM schedule_runs ORDER BY schedule_id, fire_at`,
    );
    const jobs = await rows<{ id: number; schedule_id: number }>(
      `SELECT id, schedule_id FROM jobs WHERE schedule_id IS NOT NULL ORDER BY id`,
    );
    expect(jobs).toHaveLength(runs.length);
    expect(fired).toBe(runs.length);
    expect(new Set(runs.map((r) => r.job_id)).size).toBe(runs.length);
    expect(new Set(jobs.map((j) => j.id))).toEqual(new Set(runs.map((r) => r.job_id)));
    const times = (id: number) =>
      runs.filter((r) => r.schedule_id === id).map((r) => (r.fire_at - T0) / MIN);
    // Catch-up "all" fires every minute; "once" one run for the missed stretch.
    expect(times(all.id)).toEqual([0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10]);
    expect(times(every.id)).toEqual([0, 1, 2, 8, 9, 10]);
    expect(await rows(`SELECT id, next_run_at FROM schedules ORDER BY id`)).toEqual([
      { id: every.id, next_run_at: T0 + 11 * MIN },
      { id: all.id, next_run_at: T0 + 11 * MIN },
    ]);
    // A stale writer puts next_run_at back on a time already fired: its run row blocks a second job.
    await rows(`UPDATE schedules SET next_run_at = ? WHERE id = ?`, [T0, every.id]);
    const stale = await Promise.all(schedulers.map((s) => s.fireDueSchedules(T0 + 10 * MIN + 1)));
    expect(stale.reduce((n, r) => n + r.fired.length, 0)).toBe(0);
    expect(stale.reduce((n, r) => n + r.skipped, 0)).toBe(1);
    expect(await count(`SELECT count(*) FROM jobs WHERE schedule_id IS NOT NULL`)).toBe(
      runs.length,
    );
    expect(await upkeep().pruneScheduleRuns(T0 + 7 * DAY + 3 * MIN)).toBe(6);
    expect(await count(`SELECT count(*) FROM schedule_runs`)).toBe(runs.length - 6);
  });

  it("fires by the database's clock when no time is given", async () => {
    const lib = library();
    const s = await lib.createSchedule({
      name: "now",
      task: "demo.noop",
      scheduleType: "minutes",
      minutes: 60,
      nextRunAt: Date.now() - 1000,
    });
    const report = await upkeep().fireDueSchedules();
    expect(report.fired).toEqual([
      { scheduleId: s.id, fireAt: expect.any(Number), jobId: expect.any(Number) },
    ]);
    expect((await upkeep().fireDueSchedules()).fired).toEqual([]);
  });
});
