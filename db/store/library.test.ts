/**
 * The library store group (LibraryStore) on both databases: enqueue with every option, bulk
 * enqueue in one transaction, unique keys (also under concurrency), the task catalog and args
 * schemas, reads of a job and a group, and the schedules' plain changes.
 */
import { describe, expect, it, vi } from "vitest";
import { InputError } from "../errors";
import { pgLibraryStore } from "../pg/store/library";
import { DIALECTS, useTestConnection } from "../testing/dialects";
import { addTask, markRunning, sqlRows } from "../testing/pglib-rows";
import { sqliteAdminStore } from "./admin";
import { pgAdminStore } from "../pg/store/admin";
import { sqliteLibraryStore, type LibraryStore } from "./library";

const T0 = Date.UTC(2030, 0, 1, 12, 0, 0);
const seed = { name: "seed", address: null };

describe.each(DIALECTS)("library store on %s", (dialect) => {
  const conn = useTestConnection(dialect);
  const store = (): LibraryStore =>
    dialect === "sqlite" ? sqliteLibraryStore(() => conn().sqlite!) : pgLibraryStore(conn().pool!);
  const admin = () =>
    dialect === "sqlite" ? sqliteAdminStore(() => conn().sqlite!) : pgAdminStore(conn().pool!);

  /** The jobs columns readJob does not return. */
  async function jobRow(id: number) {
    const [row] = await sqlRows(
      conn(),
      `SELECT unique_key, max_attempts, timeout_ms, hook, schedule_id, retry_of, run_at, created_at
       FROM jobs WHERE id = ?`,
      [id],
    );
    return row;
  }

  describe("enqueue", () => {
    it("stores every option and reads the job back", async () => {
      const before = Date.now();
      const id = await store().enqueue(
        "demo.echo",
        { a: [1, "x"] },
        {
          queue: "mail",
          priority: 5,
          delay: 60,
          group: "batch-1",
          timeout: 2.5,
          maxAttempts: 7,
          uniqueKey: "k1",
          name: "Mail Bob",
          hook: "demo.echo",
        },
      );
      const job = await store().readJob(id);
      expect(job).toMatchObject({
        id,
        name: "Mail Bob",
        task: "demo.echo",
        args: { a: [1, "x"] },
        queue: "mail",
        priority: 5,
        group: "batch-1",
        status: "queued",
        attempts: 0,
        result: null,
        error: null,
        errorStack: null,
        startedAt: null,
        stoppedAt: null,
        durationMs: null,
        progress: null,
        retryOf: null,
        retriedAs: null,
      });
      expect(job!.runAt! - job!.createdAt).toBe(60_000);
      expect(job!.createdAt).toBeGreaterThanOrEqual(before - 5_000);
      expect(job!.createdAt).toBeLessThanOrEqual(Date.now() + 5_000);
      expect(await jobRow(id)).toMatchObject({
        unique_key: "k1",
        max_attempts: 7,
        timeout_ms: 2500,
        hook: "demo.echo",
        schedule_id: null,
      });
    });

    it("runAt wins over delay; defaults fill the rest", async () => {
      const at = T0 + 123;
      const id = await store().enqueue("demo.echo", undefined, { runAt: new Date(at), delay: 5 });
      const job = await store().readJob(id);
      expect(job).toMatchObject({ runAt: at, queue: "default", priority: 0, args: null });
      expect(await jobRow(id)).toMatchObject({ max_attempts: 3, timeout_ms: null, hook: null });
    });

    it("refuses unknown tasks and hooks, and bad options, naming the field", async () => {
      await expect(store().enqueue("no.such")).rejects.toMatchObject({
        field: "task",
        message: expect.stringMatching(/^Unknown task "no\.such"\. Registered tasks: .*demo\.echo/),
      });
      await expect(store().enqueue("demo.echo", {}, { hook: "no.hook" })).rejects.toMatchObject({
        field: "task",
        message: expect.stringContaining(`Unknown task "no.hook"`),
      });
      await expect(store().enqueue("demo.echo", {}, { priority: 1.5 })).rejects.toBeInstanceOf(
        InputError,
      );
      await expect(store().enqueue("demo.echo", { __proto__x: 1, constructor: 1 })).rejects.toThrow(
        `args may not contain the key "constructor"`,
      );
      expect(await sqlRows(conn(), `SELECT id FROM jobs`)).toEqual([]);
    });

    it("finds a task added to the catalog after the first enqueue", async () => {
      await store().enqueue("demo.echo");
      await addTask(conn(), "late.task");
      expect(await store().enqueue("late.task")).toBeGreaterThan(0);
    });

    it("checks arguments against the task's schema", async () => {
      await addTask(conn(), "typed.task", {
        type: "object",
        properties: { ms: { type: "number" } },
        required: ["ms"],
      });
      await expect(store().enqueue("typed.task", { ms: "soon" })).rejects.toMatchObject({
        field: "args",
        message: expect.stringContaining("(task typed.task)"),
      });
      await expect(
        store().enqueueMany([
          { task: "typed.task", args: { ms: 1 } },
          { task: "typed.task", args: {} },
        ]),
      ).rejects.toThrow(/^job 1: .*\(task typed\.task\)$/);
      expect(await store().enqueue("typed.task", { ms: 5 })).toBeGreaterThan(0);
      expect(await sqlRows(conn(), `SELECT id FROM jobs`)).toHaveLength(1);
    });

    it("a unique key returns the live job's id until that job ends", async () => {
      const a = await store().enqueue("demo.echo", 1, { uniqueKey: "once" });
      expect(await store().enqueue("demo.echo", 2, { uniqueKey: "once" })).toBe(a);
      await admin().cancelJob({ id: a }, seed);
      const b = await store().enqueue("demo.echo", 3, { uniqueKey: "once" });
      expect(b).not.toBe(a);
      expect((await store().readJob(b))!.args).toBe(3);
    });

    it("concurrent enqueues of one unique key make one job", async () => {
      const ids = await Promise.all(
        Array.from({ length: 8 }, (_, i) => store().enqueue("demo.echo", i, { uniqueKey: "race" })),
      );
      expect(new Set(ids).size).toBe(1);
      expect(await sqlRows(conn(), `SELECT id FROM jobs WHERE unique_key = 'race'`)).toHaveLength(
        1,
      );
    });
  });

  it.skipIf(dialect === "sqlite")(
    "times come from the database's clock, not a shifted process clock",
    async () => {
      await store().enqueue("demo.echo"); // the catalog is read before the clock moves
      const real = Date.now();
      vi.useFakeTimers({ toFake: ["Date"], now: real + 30 * 60_000 });
      try {
        const id = await store().enqueue("demo.echo", null, { delay: 10 });
        const [many] = await store().enqueueMany([{ task: "demo.echo" }]);
        for (const job of [await store().readJob(id), await store().readJob(many!)]) {
          expect(Math.abs(job!.createdAt - real)).toBeLessThan(60_000);
        }
        const job = await store().readJob(id);
        expect(job!.runAt! - job!.createdAt).toBe(10_000);
        await admin().cancelJob({ id }, seed);
        expect(Math.abs((await store().readJob(id))!.stoppedAt! - real)).toBeLessThan(60_000);
        const schedule = await store().createSchedule({
          name: "clock",
          task: "demo.echo",
          scheduleType: "minutes",
          minutes: 5,
        });
        expect(Math.abs(schedule.createdAt - real)).toBeLessThan(60_000);
        const run = await store().runScheduleNow(schedule.id);
        expect(Math.abs((await store().readJob(run))!.createdAt - real)).toBeLessThan(60_000);
      } finally {
        vi.useRealTimers();
      }
    },
  );

  describe("enqueueMany", () => {
    it("two concurrent bulk enqueues sharing unique keys make one job per key", async () => {
      const batch = (tag: string, keys: string[]) =>
        store().enqueueMany([
          { task: "demo.echo", args: tag },
          ...keys.map((k) => ({ task: "demo.echo", args: tag, options: { uniqueKey: k } })),
        ]);
      const [x, y] = await Promise.all([batch("x", ["a", "b", "c"]), batch("y", ["c", "b", "a"])]);
      expect([x[1], x[2], x[3]]).toEqual([y[3], y[2], y[1]]);
      expect(await sqlRows(conn(), `SELECT id FROM jobs`)).toHaveLength(5);
    });

    it("returns ids in input order, a repeated key resolving to its first job", async () => {
      const held = await store().enqueue("demo.echo", "held", { uniqueKey: "h" });
      const inputs = [
        ...Array.from({ length: 150 }, (_, i) => ({ task: "demo.echo", args: i })),
        { task: "demo.echo", args: "u1", options: { uniqueKey: "u" } },
        { task: "demo.echo", args: "p", options: { priority: 3, group: "g" } },
        { task: "demo.echo", args: "u2", options: { uniqueKey: "u" } },
        { task: "demo.echo", args: "h", options: { uniqueKey: "h" } },
        ...Array.from({ length: 120 }, (_, i) => ({ task: "demo.sleep", args: { ms: i } })),
      ];
      const ids = await store().enqueueMany(inputs);
      expect(ids).toHaveLength(inputs.length);
      expect(ids[152]).toBe(ids[150]);
      expect(ids[153]).toBe(held);
      const fresh = ids.filter((_, i) => i !== 152 && i !== 153);
      expect(fresh).toEqual([...fresh].sort((x, y) => x - y));
      expect(new Set(fresh).size).toBe(fresh.length);
      for (const i of [0, 149, 150, 151, 154, 273]) {
        const args = (await store().readJob(ids[i]!))!.args;
        expect(args).toEqual(inputs[i]!.args);
      }
      expect(await store().readJob(ids[151]!)).toMatchObject({ priority: 3, group: "g" });
    });

    it("is all or none, and names the job at fault", async () => {
      await expect(
        store().enqueueMany([{ task: "demo.echo" }, { task: "demo.echo", options: { delay: -1 } }]),
      ).rejects.toMatchObject({ field: "delay", message: expect.stringMatching(/^job 1: delay /) });
      await expect(store().enqueueMany([{ task: "demo.echo" }, { task: "x.y" }])).rejects.toThrow(
        `Unknown task "x.y"`,
      );
      await expect(store().enqueueMany({} as never)).rejects.toThrow(
        "enqueueMany takes an array of jobs",
      );
      expect(await sqlRows(conn(), `SELECT id FROM jobs`)).toEqual([]);
      expect(await store().enqueueMany([])).toEqual([]);
    });
  });

  describe("reads", () => {
    it("readJob finds queued, running and finished jobs; null when unknown", async () => {
      const id = await store().enqueue("demo.echo", { x: 1 }, { delay: 60 });
      await markRunning(conn(), id);
      expect(await store().readJob(id)).toMatchObject({ status: "running", attempts: 1 });
      const other = await store().enqueue("demo.echo", null, { delay: 60, hook: "demo.sleep" });
      await admin().cancelJob({ id: other }, { name: "bob", address: null });
      expect(await store().readJob(other)).toMatchObject({
        status: "failure",
        error: "Cancelled by bob",
        runAt: null,
        startedAt: null,
        durationMs: null,
      });
      expect(await store().readJob(999_999)).toBeNull();
    });

    it("readGroup lists finished jobs first, then live ones by id", async () => {
      const a = await store().enqueue("demo.echo", 1, { group: "g" });
      const b = await store().enqueue("demo.echo", 2, { group: "g" });
      const c = await store().enqueue("demo.echo", 3, { group: "g" });
      await store().enqueue("demo.echo", 4, { group: "other" });
      await admin().cancelJob({ id: c }, seed);
      await new Promise((r) => setTimeout(r, 5));
      await admin().cancelJob({ id: a }, seed);
      const group = await store().readGroup("g");
      expect(group.map((j) => [j.id, j.status])).toEqual([
        [c, "failure"],
        [a, "failure"],
        [b, "queued"],
      ]);
      expect(await store().readGroup("none")).toEqual([]);
    });
  });

  describe("schedules", () => {
    const every5 = {
      name: "every5",
      task: "demo.echo",
      args: '{"n":1}',
      scheduleType: "minutes" as const,
      minutes: 5,
    };

    it("create starts at now, refuses a taken name and unknown tasks", async () => {
      const row = await store().createSchedule(every5, T0);
      expect(row).toMatchObject({
        name: "every5",
        nextRunAt: T0,
        isEnabled: true,
        repeats: -1,
        createdAt: T0,
        updatedAt: T0,
        lastRunAt: null,
        lastJobId: null,
      });
      expect(Object.keys(row)).toEqual([
        "id",
        "name",
        "task",
        "args",
        "scheduleType",
        "minutes",
        "cron",
        "timezone",
        "repeats",
        "nextRunAt",
        "isEnabled",
        "queue",
        "priority",
        "catchUp",
        "lastRunAt",
        "lastJobId",
        "createdAt",
        "updatedAt",
      ]);
      await expect(store().createSchedule(every5, T0)).rejects.toMatchObject({
        field: "name",
        message: `A schedule named "every5" already exists`,
      });
      await expect(
        store().createSchedule({ ...every5, name: "x", task: "no.such" }, T0),
      ).rejects.toMatchObject({ field: "task" });
      await expect(
        store().createSchedule({ ...every5, name: "y", minutes: 0 }, T0),
      ).rejects.toBeInstanceOf(InputError);
    });

    it("two concurrent creates of one name: one saves, one is refused", async () => {
      const outcomes = await Promise.allSettled([
        store().createSchedule(every5, T0),
        store().createSchedule({ ...every5, minutes: 7 }, T0),
      ]);
      expect(outcomes.map((o) => o.status).sort()).toEqual(["fulfilled", "rejected"]);
      const refused = outcomes.find((o) => o.status === "rejected") as PromiseRejectedResult;
      expect(refused.reason).toMatchObject({ field: "name" });
      expect(await store().listSchedules()).toHaveLength(1);
    });

    it("update validates, restarts the series on a timing change, refuses a taken name", async () => {
      const row = await store().createSchedule(every5, T0);
      await store().createSchedule({ ...every5, name: "other" }, T0);
      const updated = await store().updateSchedule(row.id, { minutes: 10, queue: "q2" }, T0 + 1000);
      expect(updated).toMatchObject({ minutes: 10, queue: "q2", updatedAt: T0 + 1000 });
      expect(updated.nextRunAt).toBeGreaterThanOrEqual(T0);
      await expect(store().updateSchedule(row.id, { name: "other" }, T0)).rejects.toMatchObject({
        field: "name",
      });
      await expect(store().updateSchedule(999, { minutes: 1 })).rejects.toMatchObject({
        field: "id",
        message: "No schedule with id 999",
      });
      const same = await store().updateSchedule(row.id, { priority: 2 }, T0 + 2000);
      expect(same.nextRunAt).toBe(updated.nextRunAt);
    });

    it("concurrent updates of one schedule lose neither change", async () => {
      const row = await store().createSchedule(every5, T0);
      await Promise.all([
        store().updateSchedule(row.id, { queue: "q2" }, T0),
        store().updateSchedule(row.id, { priority: 9 }, T0),
        store().setScheduleEnabled(row.id, false, T0),
      ]);
      const [view] = await store().listSchedules();
      expect(view).toMatchObject({ queue: "q2", priority: 9, isEnabled: false });
    });

    it("disable keeps the next run; enable skips missed runs; a finished one needs repeats", async () => {
      const row = await store().createSchedule(every5, T0);
      const off = await store().setScheduleEnabled(row.id, false, T0 + 1);
      expect(off).toMatchObject({ isEnabled: false, nextRunAt: T0, updatedAt: T0 });
      const on = await store().setScheduleEnabled(row.id, true, T0 + 12 * 60_000);
      expect(on).toMatchObject({ isEnabled: true, nextRunAt: T0 + 15 * 60_000 });
      const done = await store().createSchedule({ ...every5, name: "done", repeats: 0 }, T0);
      await expect(store().setScheduleEnabled(done.id, true, T0)).rejects.toMatchObject({
        field: "repeats",
      });
    });

    it("run now enqueues one job of the schedule and records it as the last run", async () => {
      const row = await store().createSchedule({ ...every5, queue: "sq", priority: 4 }, T0);
      const jobId = await store().runScheduleNow(row.id, T0 + 500);
      expect(await store().readJob(jobId)).toMatchObject({
        name: "every5",
        task: "demo.echo",
        args: { n: 1 },
        queue: "sq",
        priority: 4,
        createdAt: T0 + 500,
        runAt: T0 + 500,
      });
      expect(await jobRow(jobId)).toMatchObject({ schedule_id: row.id });
      const [view] = await store().listSchedules();
      expect(view).toMatchObject({
        id: row.id,
        nextRunAt: T0,
        repeats: -1,
        lastRunAt: T0 + 500,
        lastJobId: jobId,
        lastRun: { jobId, at: T0 + 500, outcome: "queued" },
      });
      await admin().cancelJob({ id: jobId }, seed);
      expect((await store().listSchedules())[0]!.lastRun!.outcome).toBe("failure");
      await expect(store().runScheduleNow(12345)).rejects.toMatchObject({ field: "id" });
    });

    it("delete removes the schedule and its runs, not its jobs", async () => {
      const row = await store().createSchedule(every5, T0);
      const jobId = await store().runScheduleNow(row.id, T0);
      await sqlRows(
        conn(),
        `INSERT INTO schedule_runs (schedule_id, fire_at, job_id, created_at) VALUES (?, ?, ?, ?)`,
        [row.id, T0, jobId, T0],
      );
      expect(await store().deleteSchedule(row.id)).toBe(true);
      expect(await store().deleteSchedule(row.id)).toBe(false);
      expect(await sqlRows(conn(), `SELECT fire_at FROM schedule_runs`)).toEqual([]);
      expect(await store().readJob(jobId)).not.toBeNull();
    });

    it("lists by id, keyset-paginated", async () => {
      const ids: number[] = [];
      for (let i = 0; i < 5; i++)
        ids.push((await store().createSchedule({ ...every5, name: `s${i}` }, T0)).id);
      const first = await store().listSchedules({ limit: 2 });
      expect(first.map((s) => s.id)).toEqual(ids.slice(0, 2));
      expect(first[0]!.lastRun).toBeNull();
      const next = await store().listSchedules({ afterId: first[1]!.id, limit: 10 });
      expect(next.map((s) => s.id)).toEqual(ids.slice(2));
    });
  });
});
