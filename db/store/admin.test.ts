/**
 * The admin store group (AdminStore) on both databases: every action's change and its audit entry
 * together, the transitions it drives (cancel: a failure whose hook runs exactly once; retry: a
 * new job with every setting, linked both ways), and what must hold with two callers at once.
 */
import { describe, expect, it } from "vitest";
import { InputError } from "../errors";
import { MASK } from "../mask-secrets";
import { pgAdminStore } from "../pg/store/admin";
import { pgLibraryStore } from "../pg/store/library";
import { DIALECTS, useTestConnection } from "../testing/dialects";
import { auditEntries, markRunning, sqlRows } from "../testing/pglib-rows";
import { compactIds, sqliteAdminStore, type AdminActor, type AdminStore } from "./admin";
import { sqliteLibraryStore, type LibraryStore } from "./library";

const alice: AdminActor = { name: "alice", address: "203.0.113.5" };
const seed: AdminActor = { name: "seed", address: null };

describe.each(DIALECTS)("admin store on %s", (dialect) => {
  const conn = useTestConnection(dialect);
  const admin = (): AdminStore =>
    dialect === "sqlite" ? sqliteAdminStore(() => conn().sqlite!) : pgAdminStore(conn().pool!);
  const library = (): LibraryStore =>
    dialect === "sqlite" ? sqliteLibraryStore(() => conn().sqlite!) : pgLibraryStore(conn().pool!);
  const entries = () => auditEntries(conn());

  /** A failure of demo.echo with every per-job setting, made by cancelling it while queued. */
  async function failure(args: unknown = { n: 1 }, task = "demo.echo"): Promise<number> {
    const id = await library().enqueue(task, args, {
      delay: 3600,
      queue: "q1",
      priority: 2,
      group: "g1",
      timeout: 9,
      maxAttempts: 4,
      name: "the job",
      hook: "demo.sleep",
    });
    await admin().cancelJob({ id }, seed);
    return id;
  }

  const SETTINGS = `name, task, args, queue, priority, group_name, unique_key, max_attempts,
    timeout_ms, hook, schedule_id`;

  describe("recordAudit", () => {
    it("masks secrets, keeps the given time, and returns the id", async () => {
      const id = await admin().recordAudit(
        {
          actor: "system",
          action: "x.test",
          target: "t:1",
          before: { password: "p", a: 1 },
          after: "plain text",
        },
        1234,
      );
      const [row] = await sqlRows(conn(), `SELECT id, at FROM audit_log`);
      expect(row).toEqual({ id, at: 1234 });
      expect(await entries()).toEqual([
        {
          actor: "system",
          action: "x.test",
          target: "t:1",
          before: { password: MASK, a: 1 },
          after: "plain text",
          address: null,
        },
      ]);
      const later = await admin().recordAudit({ actor: "a".repeat(300), action: "y" });
      expect(later).toBeGreaterThan(id);
      const [last] = await sqlRows<{ actor: string; at: number }>(
        conn(),
        `SELECT actor, at FROM audit_log WHERE id = ?`,
        [later],
      );
      expect(last!.actor).toHaveLength(200);
      expect(Math.abs(last!.at - Date.now())).toBeLessThan(60_000);
    });
  });

  describe("enqueue", () => {
    it("records the job with its arguments, or a short entry for the API", async () => {
      const form = await admin().enqueue({ task: "demo.echo", args: { a: 1 } }, alice);
      const api = await admin().enqueue(
        { task: "demo.echo", args: { a: 2 }, options: { queue: "mail" }, via: "api" },
        { name: "token:svc", address: null },
      );
      expect(await entries()).toEqual([
        {
          actor: "alice",
          action: "job.enqueue",
          target: `job:${form}`,
          before: null,
          after: { task: "demo.echo", args: { a: 1 } },
          address: "203.0.113.5",
        },
        {
          actor: "token:svc",
          action: "job.enqueue",
          target: `job:${api}`,
          before: null,
          after: { task: "demo.echo", queue: "mail", via: "api" },
          address: null,
        },
      ]);
      expect((await library().readJob(api))!.queue).toBe("mail");
    });

    it("a refused enqueue writes neither job nor entry", async () => {
      await expect(admin().enqueue({ task: "no.such" }, alice)).rejects.toBeInstanceOf(InputError);
      expect(await entries()).toEqual([]);
      expect(await sqlRows(conn(), `SELECT id FROM jobs`)).toEqual([]);
    });
  });

  describe("cancel", () => {
    it("a queued job ends as a failure, its hook enqueued once; only the cancel is recorded", async () => {
      const id = await library().enqueue("demo.echo", { k: 1 }, { delay: 60, hook: "demo.sleep" });
      expect(await admin().requestCancel({ id }, alice)).toBe("not-found");
      expect(await admin().cancelJob({ id }, alice)).toBe("cancelled");
      expect(await admin().cancelJob({ id }, alice)).toBe("not-found");
      expect(await library().readJob(id)).toMatchObject({
        status: "failure",
        error: "Cancelled by alice",
        startedAt: null,
        durationMs: null,
      });
      const [result] = await sqlRows(
        conn(),
        `SELECT worker_id, error_fingerprint, hook FROM results WHERE id = ?`,
        [id],
      );
      expect(result).toEqual({
        worker_id: null,
        error_fingerprint: "Cancelled by alice",
        hook: "demo.sleep",
      });
      expect(await sqlRows(conn(), `SELECT job_id FROM attempts`)).toEqual([]);
      const hooks = await sqlRows<{ id: number; args: string; queue: string }>(
        conn(),
        `SELECT id, args, queue FROM jobs WHERE task = 'demo.sleep'`,
      );
      expect(hooks).toHaveLength(1);
      expect(JSON.parse(hooks[0]!.args)).toEqual({
        jobId: id,
        task: "demo.echo",
        state: "failure",
        error: "Cancelled by alice",
      });
      expect((await entries()).map((e) => [e.action, e.target, e.actor])).toEqual([
        ["job.cancel", `job:${id}`, "alice"],
      ]);
    });

    it("two concurrent cancels of one job: one cancels, one hook", async () => {
      const id = await library().enqueue("demo.echo", null, { delay: 60, hook: "demo.sleep" });
      const outcomes = await Promise.all([
        admin().cancelJob({ id }, alice),
        admin().cancelJob({ id }, { name: "bob", address: null }),
      ]);
      expect(outcomes.sort()).toEqual(["cancelled", "not-found"]);
      expect(await sqlRows(conn(), `SELECT id FROM jobs WHERE task = 'demo.sleep'`)).toHaveLength(
        1,
      );
      expect(await entries()).toHaveLength(1);
    });

    it("a running job is asked to stop once; the request is recorded once", async () => {
      const id = await library().enqueue("demo.echo");
      await markRunning(conn(), id);
      expect(await admin().cancelJob({ id }, alice)).toBe("not-found");
      expect(await admin().requestCancel({ id }, alice)).toBe("requested");
      expect(await admin().requestCancel({ id }, alice)).toBe("already-requested");
      const [row] = await sqlRows<{ state: string; cancel_requested_at: number | null }>(
        conn(),
        `SELECT state, cancel_requested_at FROM jobs WHERE id = ?`,
        [id],
      );
      expect(row!.state).toBe("running");
      expect(Math.abs(row!.cancel_requested_at! - Date.now())).toBeLessThan(60_000);
      expect((await entries()).map((e) => [e.action, e.target])).toEqual([
        ["job.request_cancel", `job:${id}`],
      ]);
    });
  });

  describe("retry", () => {
    it("a new job keeps every setting, linked both ways; a second retry is skipped", async () => {
      const a = await failure({ n: 1 });
      const b = await failure({ n: 2 });
      const first = await admin().retryFailures({ ids: [b, a, b] }, alice);
      expect(first.retried.map((r) => r.failureId)).toEqual([b, a]);
      expect(first.skipped).toEqual([]);
      for (const { failureId, jobId } of first.retried) {
        const [was] = await sqlRows(conn(), `SELECT ${SETTINGS} FROM results WHERE id = ?`, [
          failureId,
        ]);
        const [now] = await sqlRows(conn(), `SELECT ${SETTINGS} FROM jobs WHERE id = ?`, [jobId]);
        expect(now).toEqual(was);
        expect(await library().readJob(jobId)).toMatchObject({
          status: "queued",
          retryOf: failureId,
          attempts: 0,
        });
        expect(await library().readJob(failureId)).toMatchObject({ retriedAs: jobId });
      }
      const second = await admin().retryFailures({ ids: [a, 999_999] }, alice);
      expect(second).toEqual({ retried: [], skipped: [a, 999_999] });
      const log = (await entries()).filter((e) => e.actor === "alice");
      expect(log).toEqual([
        {
          actor: "alice",
          action: "job.retry",
          target: "jobs:2",
          before: null,
          after: {
            count: 2,
            failureIds: compactIds([a, b]),
            jobIds: compactIds(first.retried.map((r) => r.jobId)),
          },
          address: "203.0.113.5",
        },
      ]);
    });

    it("a live job holding the failure's unique key stands for its retry", async () => {
      const id = await library().enqueue("demo.echo", 1, { delay: 60, uniqueKey: "u" });
      await admin().cancelJob({ id }, seed);
      const live = await library().enqueue("demo.echo", 2, { uniqueKey: "u" });
      const { retried } = await admin().retryFailures({ ids: [id] }, alice);
      expect(retried).toEqual([{ failureId: id, jobId: live }]);
      expect(await library().readJob(id)).toMatchObject({ retriedAs: live });
      expect(await sqlRows(conn(), `SELECT id FROM jobs`)).toEqual([{ id: live }]);
    });

    it("two concurrent retries of one failure make one job", async () => {
      const a = await failure();
      const results = await Promise.all([
        admin().retryFailures({ ids: [a] }, alice),
        admin().retryFailures({ ids: [a] }, alice),
      ]);
      expect(results.map((r) => r.retried.length).sort()).toEqual([0, 1]);
      expect(await sqlRows(conn(), `SELECT id FROM jobs WHERE retry_of = ?`, [a])).toHaveLength(1);
      expect((await entries()).filter((e) => e.action === "job.retry")).toHaveLength(1);
    });

    it("concurrent retries of overlapping failures in opposite orders retry each once", async () => {
      const ids = [await failure(), await failure(), await failure()];
      const results = await Promise.all([
        admin().retryFailures({ ids }, alice),
        admin().retryFailures({ ids: [...ids].reverse() }, alice),
      ]);
      expect(results.flatMap((r) => r.retried.map((x) => x.failureId)).sort()).toEqual(
        [...ids].sort(),
      );
      expect(await sqlRows(conn(), `SELECT id FROM jobs WHERE retry_of IS NOT NULL`)).toHaveLength(
        3,
      );
    });

    it("retryAllFailures retries a task's failures once, as failures.retry", async () => {
      const a = await failure();
      await failure({}, "demo.fail");
      const cli = { name: "cli:ann", address: null };
      expect(await admin().retryAllFailures({ task: "demo.echo" }, cli)).toBe(1);
      expect(await admin().retryAllFailures({ task: "demo.echo" }, cli)).toBe(0);
      expect(await admin().retryAllFailures({}, cli)).toBe(1);
      const log = (await entries()).filter((e) => e.actor === "cli:ann");
      expect(log.map((e) => [e.action, e.target])).toEqual([
        ["failures.retry", "task:demo.echo"],
        ["failures.retry", "all"],
      ]);
      expect(log[0]!.after).toMatchObject({ count: 1, failureIds: `${a}` });
    });
  });

  it("delete removes results and attempts, recording every id", async () => {
    const a = await failure();
    const b = await failure();
    await sqlRows(
      conn(),
      `INSERT INTO attempts (job_id, attempt, worker_id, outcome, started_at, stopped_at, duration_ms)
       VALUES (?, 1, 'w', 'error', 1, 2, 1)`,
      [a],
    );
    expect(await admin().deleteResults({ ids: [a, b, 999_999] }, alice)).toBe(2);
    expect(await admin().deleteResults({ ids: [a] }, alice)).toBe(0);
    expect(await library().readJob(a)).toBeNull();
    expect(await sqlRows(conn(), `SELECT job_id FROM attempts`)).toEqual([]);
    expect((await entries()).filter((e) => e.actor === "alice")).toEqual([
      {
        actor: "alice",
        action: "job.delete",
        target: "jobs:2",
        before: { count: 2, ids: compactIds([a, b, 999_999]) },
        after: null,
        address: "203.0.113.5",
      },
    ]);
  });

  it("reveal returns raw values and records job.reveal; an unknown job records nothing", async () => {
    const id = await library().enqueue("demo.echo", { password: "hunter2" });
    expect(await admin().revealJob({ id }, alice)).toEqual({
      id,
      args: { password: "hunter2" },
      result: null,
      error: null,
      errorStack: null,
    });
    expect(await admin().revealJob({ id: 999_999 }, alice)).toBeNull();
    expect(await entries()).toEqual([
      {
        actor: "alice",
        action: "job.reveal",
        target: `job:${id}`,
        before: null,
        after: { fields: ["args", "result", "error", "errorStack"] },
        address: "203.0.113.5",
      },
    ]);
  });

  it("schedules: save, enable, disable, run and delete each record one entry", async () => {
    const args = JSON.stringify({ apiKey: "k-1", to: "ann" });
    const created = await admin().saveSchedule(
      { id: null, input: { name: "nightly", task: "demo.echo", args, scheduleType: "daily" } },
      alice,
    );
    const { row } = created;
    expect(created.before).toBeNull();
    // The form sends secrets back masked: the stored value stays.
    const masked = JSON.stringify({ apiKey: MASK, to: "bob" });
    const saved = await admin().saveSchedule({ id: row.id, input: { args: masked } }, alice);
    expect(saved.before).toEqual(row);
    expect(JSON.parse(saved.row.args)).toEqual({ apiKey: "k-1", to: "bob" });
    await expect(
      admin().saveSchedule({ id: row.id, input: { scheduleType: "minutes" } }, alice),
    ).rejects.toBeInstanceOf(InputError);
    const off = await admin().setScheduleEnabled({ id: row.id, isEnabled: false }, alice);
    expect(off.isEnabled).toBe(false);
    const on = await admin().setScheduleEnabled({ id: row.id, isEnabled: true }, alice);
    expect(on.isEnabled).toBe(true);
    const jobId = await admin().runScheduleNow({ id: row.id }, alice);
    expect(await library().readJob(jobId)).toMatchObject({ name: "nightly", status: "queued" });
    const deleted = await admin().deleteSchedule({ id: row.id }, alice);
    expect(deleted.name).toBe("nightly");
    expect(deleted.lastJobId).toBe(jobId);
    await expect(admin().deleteSchedule({ id: row.id }, alice)).rejects.toMatchObject({
      field: "id",
      message: `No schedule with id ${row.id}`,
    });
    await expect(admin().runScheduleNow({ id: row.id }, alice)).rejects.toBeInstanceOf(InputError);
    const log = await entries();
    expect(log.map((e) => [e.action, e.target])).toEqual([
      ["schedule.create", `schedule:${row.id}`],
      ["schedule.update", `schedule:${row.id}`],
      ["schedule.disable", `schedule:${row.id}`],
      ["schedule.enable", `schedule:${row.id}`],
      ["schedule.run", `schedule:${row.id}`],
      ["schedule.delete", `schedule:${row.id}`],
    ]);
    const masks = (v: unknown) => JSON.parse(JSON.stringify(v).replace("k-1", MASK)) as unknown;
    expect(log[0]).toMatchObject({ before: null, after: masks(row) });
    expect(log[1]).toMatchObject({ before: masks(row), after: masks(saved.row) });
    expect(log[2]).toMatchObject({
      before: { isEnabled: true },
      after: { isEnabled: false, nextRunAt: off.nextRunAt },
    });
    expect(log[3]).toMatchObject({
      before: { isEnabled: false },
      after: { isEnabled: true, nextRunAt: on.nextRunAt },
    });
    expect(log[4]?.after).toEqual({ jobId });
    expect(log[5]?.before).toEqual(masks(deleted));
    expect(JSON.stringify(log)).not.toContain("k-1");
  });
});
