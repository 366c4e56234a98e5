/**
 * The ReadStore on both databases (issue 17): one suite, run on SQLite and on PostgreSQL, on rows
 * written the same way on each (db/testing/pgreads-rows.ts).
 */
import { describe, expect, it } from "vitest";
import { pgReadStore } from "../pg/store/reads";
import { DIALECTS, useTestConnection, type TestConnection } from "../testing/dialects";
import { execSql, foldCounts, insertRows, jobRow, resultRow } from "../testing/pgreads-rows";
import { RESULT_SORTS } from "../queries/results-list";
import {
  sqliteReadStore,
  type Cursor,
  type QueueCursor,
  type ReadStore,
  type ResultListParams,
} from "./reads";

const ORDER_JOB = 1717;

/** Results 1..90 (tied stop times, null start times, 1-3 attempts, orders in the arguments) and 1717. */
async function seedResults(conn: TestConnection): Promise<void> {
  const rows = [];
  for (let id = 1; id <= 90; id++) {
    const stoppedAt = 1_000_000 + Math.floor(id / 3) * 1000;
    const failed = id % 5 === 0;
    rows.push(
      resultRow(id, {
        args: JSON.stringify({ order: 881700 + id }),
        queue: id % 4 === 0 ? "mail" : "default",
        task: id % 6 === 0 ? "demo.sleep" : "demo.echo",
        state: failed ? "failure" : "success",
        result: failed ? null : '{"ok":true}',
        error: failed ? (id % 10 === 0 ? "Boom\nat x" : `Timeout after ${id} ms`) : null,
        error_fingerprint: failed ? (id % 10 === 0 ? "Boom" : "Timeout after <num> ms") : null,
        started_at: id % 7 === 0 ? null : stoppedAt - 10,
        stopped_at: stoppedAt,
        duration_ms: id % 7 === 0 ? null : (id * 37) % 11,
        attempts: 1 + (id % 3),
        group_name: id % 9 === 0 ? "batch" : null,
        retried_as: failed && id % 3 === 0 ? 5000 + id : null,
      }),
    );
  }
  rows.push(
    resultRow(ORDER_JOB, {
      args: JSON.stringify({ order: 12 }),
      name: "Nightly Export",
      started_at: 1,
      stopped_at: 2,
      duration_ms: 1,
    }),
  );
  await insertRows(conn, "results", rows);
}

/** The ids `filter` should list, in the order of its sort (NULL smallest), computed in JS. */
function expectedOrder(rows: { id: number; v: number | null }[], dir: "asc" | "desc"): number[] {
  const sign = dir === "asc" ? 1 : -1;
  return [...rows]
    .sort((a, b) => {
      const av = a.v ?? -Infinity;
      const bv = b.v ?? -Infinity;
      return (av === bv ? a.id - b.id : av < bv ? -1 : 1) * sign;
    })
    .map((r) => r.id);
}

describe.each(DIALECTS)("ReadStore on %s", (dialect) => {
  const conn = useTestConnection(dialect);
  const store = (): ReadStore =>
    dialect === "sqlite" ? sqliteReadStore(() => conn().sqlite!) : pgReadStore(conn().pool!);

  async function forward(params: ResultListParams) {
    const pages: number[][] = [];
    let cursor: Cursor | null = null;
    let lastPrev: Cursor | null = null;
    for (let guard = 0; guard < 200; guard++) {
      const page = await store().listResults({ ...params, cursor, before: null });
      pages.push(page.rows.map((r) => r.id));
      lastPrev = page.prev;
      if (!page.next) break;
      cursor = page.next;
    }
    return { pages, lastPrev };
  }

  async function backward(params: ResultListParams, from: Cursor | null) {
    const pages: number[][] = [];
    let before = from;
    for (let guard = 0; guard < 200 && before; guard++) {
      const page = await store().listResults({ ...params, before, cursor: null });
      pages.unshift(page.rows.map((r) => r.id));
      before = page.prev;
    }
    return pages;
  }

  it("lists results in every sort both ways, paging back through the same pages", async () => {
    await seedResults(conn());
    const successes: {
      id: number;
      started: number | null;
      duration: number | null;
      attempts: number;
      stopped: number;
    }[] = [];
    for (let id = 1; id <= 90; id++) {
      if (id % 5 === 0) continue;
      const stopped = 1_000_000 + Math.floor(id / 3) * 1000;
      successes.push({
        id,
        stopped,
        started: id % 7 === 0 ? null : stopped - 10,
        duration: id % 7 === 0 ? null : (id * 37) % 11,
        attempts: 1 + (id % 3),
      });
    }
    successes.push({ id: ORDER_JOB, stopped: 2, started: 1, duration: 1, attempts: 1 });
    const value = {
      stopped: "stopped",
      started: "started",
      duration: "duration",
      attempts: "attempts",
    } as const;
    for (const sort of RESULT_SORTS) {
      for (const dir of ["asc", "desc"] as const) {
        const params: ResultListParams = { state: "success", sort, dir, limit: 7 };
        const { pages, lastPrev } = await forward(params);
        const expected = expectedOrder(
          successes.map((s) => ({ id: s.id, v: s[value[sort]] })),
          dir,
        );
        expect(pages.flat(), `${sort} ${dir}`).toEqual(expected);
        expect(await backward(params, lastPrev)).toEqual(pages.slice(0, -1));
      }
    }
    const first = await store().listResults({
      state: "success",
      sort: "stopped",
      dir: "desc",
      limit: 7,
    });
    expect(first.prev).toBeNull();
    expect(first.rows[0]).toEqual({
      id: 89,
      name: null,
      task: "demo.echo",
      queue: "default",
      groupName: null,
      startedAt: 1_029_000 - 10,
      stoppedAt: 1_029_000,
      durationMs: (89 * 37) % 11,
      attempts: 3,
      workerId: null,
      retryOf: null,
      retriedAs: null,
      argsPreview: JSON.stringify({ order: 881789 }),
      preview: '{"ok":true}',
    });
  });

  it("filters results and counts and selects the same rows", async () => {
    await seedResults(conn());
    const ids = async (p: Partial<ResultListParams>) =>
      (
        await store().listResults({
          state: "success",
          sort: "stopped",
          dir: "desc",
          limit: 200,
          ...p,
        })
      ).rows.map((r) => r.id);
    const mail = await ids({ queue: "mail" });
    expect(mail.length).toBeGreaterThan(0);
    expect(mail.every((id) => id % 4 === 0 && id % 5 !== 0)).toBe(true);
    expect(await ids({ task: "demo.sleep" })).toEqual([
      84, 78, 72, 66, 54, 48, 42, 36, 24, 18, 12, 6,
    ]);
    expect(await ids({ group: "batch" })).toEqual([81, 72, 63, 54, 36, 27, 18, 9]);
    expect(await ids({ since: 1_029_000 })).toEqual([89, 88, 87]);
    expect(await ids({ until: 1_001_000 })).toEqual([2, 1, ORDER_JOB]);
    // Failures by group (fingerprint), retried or not; small groups sorted by duration too.
    const boom = await ids({ state: "failure", error: "Boom" });
    expect(boom).toEqual([90, 80, 70, 60, 50, 40, 30, 20, 10]);
    expect(await ids({ state: "failure", error: "Boom", retried: "yes" })).toEqual([90, 60, 30]);
    expect(await ids({ state: "failure", retried: "no", error: "Boom" })).toEqual([
      80, 70, 50, 40, 20, 10,
    ]);
    const byDuration = await ids({ state: "failure", error: "Boom", sort: "duration", dir: "asc" });
    expect([...byDuration].sort((a, b) => a - b)).toEqual([...boom].sort((a, b) => a - b));
    expect(byDuration[0]).toBe(70); // its duration is null: smallest
    const f = { state: "failure" as const, error: "Timeout after <num> ms" };
    expect(await store().countMatchingResults(f)).toBe(9);
    expect(await store().selectMatchingResultIds(f)).toEqual([85, 75, 65, 55, 45, 35, 25, 15, 5]);
    expect(await store().selectMatchingResultIds(f, 2)).toEqual([85, 75]);
    expect(await store().countMatchingResults({ state: "success" }, 10)).toBe(11);
    expect(await store().countMatchingResults({ state: "success", queue: "mail" })).toBe(
      mail.length,
    );
    expect(
      await store()
        .listLatestFailures(3)
        .then((r) => r.map((x) => [x.id, x.preview])),
    ).toEqual([
      [90, "Boom\nat x"],
      [85, "Timeout after 85 ms"],
      [80, "Boom\nat x"],
    ]);
  });

  it("searches text ignoring case, names first, content only when asked, an id first", async () => {
    await seedResults(conn());
    const search = async (q: string, searchesContent = true, limit = 50) =>
      (
        await store().listResults({
          state: "success",
          q,
          searchesContent,
          sort: "stopped",
          dir: "desc",
          limit,
        })
      ).rows.map((r) => r.id);
    expect(await search("nightly export", false)).toEqual([ORDER_JOB]);
    expect(await search("NIGHTLY")).toEqual([ORDER_JOB]);
    expect(await search("881789")).toEqual([89]);
    expect(await search("881789", false)).toEqual([]);
    // A number that is a job id and appears in other jobs' arguments: the job first, then those.
    expect(await search(String(ORDER_JOB))).toEqual([ORDER_JOB, 17]);
    expect(await search("#12")).toEqual([12]);
    expect(await search("12")).toEqual(expect.arrayContaining([12, ORDER_JOB]));
    expect((await search("12"))[0]).toBe(12);
    expect(await store().countMatchingResults({ state: "success", q: String(ORDER_JOB) })).toBe(1);
    expect(
      await store().countMatchingResults({ state: "success", q: "EXPORT", searchesContent: false }),
    ).toBe(1);
    // Wildcards are literal.
    expect(await search("%")).toEqual([]);
    expect(await search("_")).toEqual([]);
    // The searched id once, on the first page only, then every page back.
    const params: ResultListParams = {
      state: "success",
      q: "1",
      searchesContent: true,
      sort: "stopped",
      dir: "desc",
      limit: 5,
    };
    const all = await forward(params);
    expect(all.pages.flat()[0]).toBe(1);
    expect(all.pages.flat().filter((id) => id === 1)).toHaveLength(1);
    expect(all.pages.flat().length).toBe(
      await store().countMatchingResults({ state: "success", q: "1", searchesContent: true }),
    );
    expect(await backward(params, all.lastPrev)).toEqual(all.pages.slice(0, -1));
  });

  it("groups failures over every writer's shard, with example, tasks and last time", async () => {
    const c = conn();
    const failure = (id: number, over: Record<string, string | number | null>) =>
      resultRow(id, { state: "failure", result: null, stopped_at: 1_000 + id, ...over });
    await insertRows(c, "results", [
      failure(1, { error: "Timeout after 5 ms", error_fingerprint: "Timeout after <num> ms" }),
      failure(2, { error: "Boom", task: "demo.sleep" }),
    ]);
    await foldCounts(c);
    // Another connection writes into another shard on PostgreSQL.
    if (c.pool) {
      const client = await c.pool.connect();
      const other = await c.pool.connect();
      try {
        await client.query(
          `INSERT INTO results (id, task, args, queue, priority, state, error, error_fingerprint,
             created_at, stopped_at, attempts) VALUES
           (3, 'demo.echo', '{}', 'default', 0, 'failure', 'Timeout after 9 ms', 'Timeout after <num> ms', 0, 1003, 1)`,
        );
        await other.query(
          `INSERT INTO results (id, task, args, queue, priority, state, error, error_fingerprint,
             created_at, stopped_at, attempts, retried_as) VALUES
           (4, 'demo.sleep', '{}', 'default', 0, 'failure', 'Timeout after 7 ms', 'Timeout after <num> ms', 0, 1004, 1, 99)`,
        );
      } finally {
        client.release();
        other.release();
      }
    } else {
      await insertRows(c, "results", [
        failure(3, { error: "Timeout after 9 ms", error_fingerprint: "Timeout after <num> ms" }),
        failure(4, {
          error: "Timeout after 7 ms",
          error_fingerprint: "Timeout after <num> ms",
          task: "demo.sleep",
          retried_as: 99,
        }),
      ]);
    }
    const groups = await store().listFailureGroups();
    expect(groups).toEqual([
      {
        message: "Timeout after <num> ms",
        example: "Timeout after 7 ms",
        count: 3,
        open: 2,
        tasks: "demo.echo,demo.sleep",
        lastAt: 1004,
      },
      { message: "Boom", example: "Boom", count: 1, open: 1, tasks: "demo.sleep", lastAt: 1002 },
    ]);
    expect(await store().listFailureGroups(1)).toHaveLength(1);
    await execSql(c, `DELETE FROM results WHERE id = ?`, [2]);
    await foldCounts(c);
    expect((await store().listFailureGroups()).map((g) => g.message)).toEqual([
      "Timeout after <num> ms",
    ]);
    expect(await store().listRetryableFailureIds()).toEqual([1, 3]);
    expect(await store().listRetryableFailureIds({ task: "demo.echo" })).toEqual([1, 3]);
    expect(await store().listRetryableFailureIds({ task: "demo.sleep" })).toEqual([]);
  });

  it("sums counters and per-minute stats over shards", async () => {
    const c = conn();
    await insertRows(c, "jobs", [
      jobRow(101, { run_at: 5_000 }),
      jobRow(102, { run_at: 50_000 }),
      jobRow(103, { state: "running", locked_by: "w1", started_at: 4_000 }),
    ]);
    await insertRows(c, "results", [
      resultRow(1, { stopped_at: 60_000 }),
      resultRow(2, { stopped_at: 61_000 }),
      resultRow(3, { stopped_at: 180_500, state: "failure", error: "x" }),
    ]);
    await foldCounts(c);
    await insertRows(c, "results", [resultRow(4, { stopped_at: 125_000 })]);
    await insertRows(c, "workers", [
      {
        id: "w1",
        host: "h",
        pid: 1,
        concurrency: 2,
        queues: "*",
        started_at: 1,
        last_heartbeat_at: 9_000,
        stopped_at: null,
        jobs_done: 0,
      },
      {
        id: "w2",
        host: "h",
        pid: 2,
        concurrency: 2,
        queues: "*",
        started_at: 2,
        last_heartbeat_at: 9_000,
        stopped_at: 9_000,
        jobs_done: 5,
      },
    ]);
    await insertRows(c, "schedules", [
      {
        name: "s",
        task: "demo.noop",
        schedule_type: "minutes",
        minutes: 5,
        created_at: 1,
        updated_at: 1,
        next_run_at: 100,
        is_enabled: true,
      },
    ]);
    expect(await store().getQueueStats(10_000)).toEqual({
      queued: 2,
      scheduled: 1,
      running: 1,
      success: 3,
      failure: 1,
      schedules: 1,
      workers: 1,
    });
    expect((await store().getQueueStats(100_000)).workers).toBe(0);
    expect(await store().getThroughput(61_000)).toEqual([
      { minute: 60_000, success: 2, failure: 0 },
      { minute: 120_000, success: 1, failure: 0 },
      { minute: 180_000, success: 0, failure: 1 },
    ]);
    expect(await store().countOutcomesSince(119_999)).toEqual({ success: 3, failure: 1 });
    expect(await store().countOutcomesSince(120_000)).toEqual({ success: 1, failure: 1 });
    expect(await store().countOutcomesSince(999_999)).toEqual({ success: 0, failure: 0 });
  });

  it("lists queued jobs in claim order both ways, running jobs and their counts", async () => {
    const c = conn();
    const rows = [];
    for (let i = 1; i <= 23; i++)
      rows.push(
        jobRow(i, {
          priority: i % 3,
          queue: i % 2 ? "mail" : "default",
          run_at: 1_000 + (i % 4),
          task: i % 5 === 0 ? "demo.sleep" : "demo.noop",
          args: JSON.stringify({ i }),
        }),
      );
    rows.push(
      jobRow(30, { state: "running", locked_by: "w1", started_at: 500, attempts: 1 }),
      jobRow(31, {
        state: "running",
        locked_by: "w1",
        started_at: 400,
        queue: "mail",
        attempts: 1,
      }),
    );
    await insertRows(c, "jobs", rows);
    const expected = rows
      .filter((r) => r.state === "queued")
      .sort(
        (a, b) =>
          (b.priority as number) - (a.priority as number) ||
          (a.run_at as number) - (b.run_at as number) ||
          (a.id as number) - (b.id as number),
      )
      .map((r) => r.id);
    const pages: number[][] = [];
    let cursor: QueueCursor | null = null;
    let prev: QueueCursor | null = null;
    for (let guard = 0; guard < 50; guard++) {
      const page = await store().listQueuedJobs({ cursor, limit: 5 });
      pages.push(page.rows.map((r) => r.id));
      prev = page.prev;
      if (!page.next) break;
      cursor = page.next;
    }
    expect(pages.flat()).toEqual(expected);
    const back: number[][] = [];
    while (prev) {
      const page = await store().listQueuedJobs({ before: prev, limit: 5 });
      back.unshift(page.rows.map((r) => r.id));
      prev = page.prev;
    }
    expect(back).toEqual(pages.slice(0, -1));
    const mail = await store().listQueuedJobs({ queue: "mail", task: "demo.sleep", limit: 50 });
    expect(mail.rows.map((r) => r.id)).toEqual([5, 15]);
    expect(mail.rows[0]).toMatchObject({
      state: "queued",
      runAt: 1_001,
      argsPreview: '{"i":5}',
      maxAttempts: null,
    });
    expect(await store().countQueuedJobs({ queue: "mail" })).toBe(12);
    expect(await store().countQueuedJobs({}, 5)).toBe(6);
    expect((await store().listRunningJobs()).map((r) => r.id)).toEqual([31, 30]);
    expect((await store().listRunningJobs({ queue: "default" })).map((r) => r.id)).toEqual([30]);
    expect(await store().listRunningJobs({}, 1)).toHaveLength(1);
  });

  it("lists workers with their running jobs, and the filter menus", async () => {
    const c = conn();
    await insertRows(c, "workers", [
      {
        id: "w1",
        host: "a",
        pid: 1,
        concurrency: 2,
        queues: "*",
        started_at: 10,
        last_heartbeat_at: 5_000_000,
        stopped_at: null,
        jobs_done: 3,
      },
      {
        id: "w2",
        host: "b",
        pid: 2,
        concurrency: 2,
        queues: "*",
        started_at: 20,
        last_heartbeat_at: 5_000_000,
        stopped_at: 5_000_000,
        jobs_done: 0,
      },
      {
        id: "w3",
        host: "c",
        pid: 3,
        concurrency: 2,
        queues: "*",
        started_at: 30,
        last_heartbeat_at: 5_000_000,
        stopped_at: null,
        jobs_done: 0,
      },
      {
        id: "old",
        host: "d",
        pid: 4,
        concurrency: 2,
        queues: "*",
        started_at: 1,
        last_heartbeat_at: 1_000_000,
        stopped_at: 1_000_000,
        jobs_done: 0,
      },
    ]);
    await insertRows(c, "jobs", [
      jobRow(7, { state: "running", locked_by: "w1", started_at: 1, name: "seven", queue: "zeta" }),
      jobRow(8, { queue: "alpha" }),
    ]);
    await insertRows(c, "results", [
      resultRow(1, { queue: "mail" }),
      resultRow(2, { queue: "beta", state: "failure", error: "x" }),
      resultRow(3, { queue: "mail" }),
    ]);
    const workers = await store().listWorkers(5_000_000);
    expect(workers.map((w) => w.id)).toEqual(["w3", "w1", "w2"]);
    expect(workers[1]).toEqual({
      id: "w1",
      host: "a",
      pid: 1,
      concurrency: 2,
      queues: "*",
      startedAt: 10,
      lastHeartbeatAt: 5_000_000,
      stoppedAt: null,
      jobsDone: 3,
      running: [{ id: 7, name: "seven", task: "demo.noop", progress: null }],
    });
    // Without `now`, the clock decides: these heartbeats are decades old.
    expect(await store().listWorkers()).toEqual([]);
    const options = await store().listFilterOptions();
    expect(options.queues).toEqual(["alpha", "beta", "default", "mail", "zeta"]);
    expect(options.tasks).toContain("demo.noop");
    expect(options.tasks).toEqual([...options.tasks].sort());
    const tasks = await store().listTasks();
    expect(tasks.map((t) => t.name)).toEqual(options.tasks);
    expect(tasks.find((t) => t.name === "demo.noop")).toMatchObject({ isBuiltin: true });
  });

  it("shows one job with its attempts, schedule and retry lineage", async () => {
    const c = conn();
    await insertRows(c, "schedules", [
      {
        id: 4,
        name: "nightly",
        task: "demo.noop",
        schedule_type: "minutes",
        minutes: 5,
        created_at: 1,
        updated_at: 1,
        next_run_at: 100,
        is_enabled: true,
      },
    ]);
    // 10 (deleted) <- 11 (failure) <- 12 (failure) <- 13 (queued); 12 also has attempts.
    await insertRows(c, "results", [
      resultRow(11, { state: "failure", error: "a", retry_of: 10, retried_as: 12 }),
      resultRow(12, {
        state: "failure",
        error: "b\nstack",
        retry_of: 11,
        retried_as: 13,
        schedule_id: 4,
        worker_id: "w1",
      }),
    ]);
    await insertRows(c, "jobs", [jobRow(13, { retry_of: 12, max_attempts: 3, args: '{"x":1}' })]);
    await insertRows(c, "attempts", [
      {
        job_id: 12,
        attempt: 2,
        worker_id: "w1",
        outcome: "timeout",
        started_at: 5,
        stopped_at: 7,
        duration_ms: 2,
        error: "b",
        error_stack: null,
      },
      {
        job_id: 12,
        attempt: 1,
        worker_id: "w1",
        outcome: "error",
        started_at: 1,
        stopped_at: 3,
        duration_ms: 2,
        error: "a",
        error_stack: "s",
      },
    ]);
    const twelve = await store().getJobDetail(12);
    expect(twelve).toMatchObject({
      id: 12,
      state: "failure",
      error: "b\nstack",
      runAt: null,
      stoppedAt: 2_000,
      retriedAs: 13,
      scheduleId: 4,
      scheduleName: "nightly",
      workerId: "w1",
      progress: null,
      ancestors: [
        { id: 10, state: "deleted" },
        { id: 11, state: "failure" },
      ],
      descendants: [{ id: 13, state: "queued" }],
    });
    expect(twelve!.attemptRows.map((a) => [a.attempt, a.outcome, a.jobId, a.durationMs])).toEqual([
      [1, "error", 12, 2],
      [2, "timeout", 12, 2],
    ]);
    const thirteen = await store().getJobDetail(13);
    expect(thirteen).toMatchObject({
      id: 13,
      state: "queued",
      args: '{"x":1}',
      maxAttempts: 3,
      runAt: 1_000,
      stoppedAt: null,
      result: null,
      scheduleName: null,
      attemptRows: [],
      descendants: [],
    });
    expect(thirteen!.ancestors.map((l) => l.id)).toEqual([10, 11, 12]);
    expect((await store().getJobDetail(11))!.descendants).toEqual([
      { id: 12, state: "failure" },
      { id: 13, state: "queued" },
    ]);
    expect(await store().getJobDetail(999)).toBeNull();
  });

  it("stops a retry chain after 20 links and at a cycle", async () => {
    const c = conn();
    const rows = [];
    for (let id = 1; id <= 30; id++)
      rows.push(
        resultRow(id, {
          state: "failure",
          error: "e",
          retry_of: id > 1 ? id - 1 : 30,
          retried_as: id < 30 ? id + 1 : 1,
        }),
      );
    await insertRows(c, "results", rows);
    const detail = (await store().getJobDetail(15))!;
    const up = [25, 26, 27, 28, 29, 30, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14];
    expect(detail.ancestors.map((l) => l.id)).toEqual(up);
    const down = [16, 17, 18, 19, 20, 21, 22, 23, 24, 25, 26, 27, 28, 29, 30, 1, 2, 3, 4, 5];
    expect(detail.descendants.map((l) => l.id)).toEqual(down);
    // A chain that comes back to a job already seen stops there.
    await execSql(c, `UPDATE results SET retried_as = ? WHERE id = ?`, [16, 17]);
    expect((await store().getJobDetail(15))!.descendants.map((l) => l.id)).toEqual([16, 17]);
  });

  it("reads schedules with their last run, and previews an edit", async () => {
    const c = conn();
    await insertRows(c, "schedules", [
      {
        id: 1,
        name: "a",
        task: "demo.noop",
        schedule_type: "minutes",
        minutes: 5,
        created_at: 1,
        updated_at: 1,
        next_run_at: 600_000,
        is_enabled: true,
        last_job_id: 50,
        last_run_at: 300_000,
      },
      {
        id: 2,
        name: "b",
        task: "demo.echo",
        schedule_type: "minutes",
        minutes: 10,
        created_at: 1,
        updated_at: 1,
        next_run_at: null,
        is_enabled: false,
        last_job_id: 60,
        last_run_at: 300_000,
      },
      {
        id: 3,
        name: "c",
        task: "demo.echo",
        schedule_type: "minutes",
        minutes: 10,
        created_at: 1,
        updated_at: 1,
        next_run_at: null,
        is_enabled: false,
        last_job_id: 77,
        last_run_at: 5,
      },
      {
        id: 4,
        name: "d",
        task: "demo.echo",
        schedule_type: "minutes",
        minutes: 10,
        created_at: 1,
        updated_at: 1,
        next_run_at: null,
        is_enabled: false,
        last_job_id: null,
        last_run_at: null,
      },
    ]);
    await insertRows(c, "results", [
      resultRow(50, { state: "failure", error: "x", schedule_id: 1 }),
    ]);
    await insertRows(c, "jobs", [jobRow(60, { state: "running", locked_by: "w", schedule_id: 2 })]);
    const a = await store().getSchedule("a");
    expect(a).toEqual({
      id: 1,
      name: "a",
      task: "demo.noop",
      args: "null",
      scheduleType: "minutes",
      minutes: 5,
      cron: null,
      timezone: "UTC",
      repeats: -1,
      nextRunAt: 600_000,
      isEnabled: true,
      queue: "default",
      priority: 0,
      catchUp: "once",
      lastRunAt: 300_000,
      lastJobId: 50,
      createdAt: 1,
      updatedAt: 1,
      lastRun: { jobId: 50, at: 300_000, outcome: "failure" },
    });
    expect(await store().getSchedule(1)).toEqual(a);
    expect(await store().getSchedule("nope")).toBeNull();
    const list = await store().listSchedules();
    expect(list.map((s) => [s.id, s.lastRun?.outcome ?? null, s.isEnabled])).toEqual([
      [1, "failure", true],
      [2, "running", false],
      [3, "unknown", false],
      [4, null, false],
    ]);
    expect((await store().listSchedules({ afterId: 1, limit: 2 })).map((s) => s.id)).toEqual([
      2, 3,
    ]);
    const { lastRun: _lastRun, ...row } = a!;
    expect(await store().getScheduleRow(1)).toEqual(row);
    await expect(store().getScheduleRow(99)).rejects.toMatchObject({
      message: "No schedule with id 99",
      field: "id",
    });
    expect(await store().previewScheduleUpdate(1, {}, 500_000, 3)).toMatchObject({
      ok: true,
      nextRuns: [600_000, 900_000, 1_200_000],
    });
    expect(await store().previewScheduleUpdate(1, { minutes: 2 }, 500_000, 2)).toMatchObject({
      ok: true,
      nextRuns: [600_000, 720_000],
    });
    const bad = await store().previewScheduleUpdate(1, { minutes: 0 }, 500_000);
    expect(bad.ok).toBe(false);
    await expect(store().previewScheduleUpdate(99, {})).rejects.toMatchObject({ field: "id" });
  });

  it("pages the audit log newest first", async () => {
    const c = conn();
    await insertRows(
      c,
      "audit_log",
      [1, 2, 3, 4, 5].map((i) => ({
        at: i * 10,
        actor: "alice",
        action: "job.retry",
        target: `job:${i}`,
        before: null,
        after: i === 5 ? '{"a":1}' : null,
        address: null,
      })),
    );
    const first = await store().listAudit({ limit: 2 });
    expect(first.rows.map((r) => r.id)).toEqual([5, 4]);
    expect(first.rows[0]).toEqual({
      id: 5,
      at: 50,
      actor: "alice",
      action: "job.retry",
      target: "job:5",
      before: null,
      after: '{"a":1}',
      address: null,
    });
    expect(first.nextBefore).toBe(4);
    const second = await store().listAudit({ before: 4, limit: 2 });
    expect(second.rows.map((r) => r.id)).toEqual([3, 2]);
    const last = await store().listAudit({ before: 2, limit: 2 });
    expect(last).toMatchObject({ nextBefore: null });
    expect(last.rows.map((r) => r.id)).toEqual([1]);
    expect((await store().listAudit({ limit: 0 })).rows).toHaveLength(1);
  });
});
