import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { InputError } from "./errors";
import { MASK } from "./mask-secrets";
import type { AuditRow } from "./schema";
import { openStore, type Store } from "./store";
import { compactIds, type AdminActor } from "./store/admin";

let dir: string;
let store: Store;
const alice: AdminActor = { name: "alice", address: "203.0.113.5" };

beforeEach(async () => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), "jobdeck-admin-"));
  store = await openStore({ url: path.join(dir, "admin.db") });
});
afterEach(async () => {
  await store.close();
  fs.rmSync(dir, { recursive: true, force: true });
});

/** The audit log, oldest first, before/after parsed. */
async function entries() {
  const { rows } = await store.reads.listAudit({ limit: 500 });
  return rows.reverse().map((r: AuditRow) => ({
    actor: r.actor,
    action: r.action,
    target: r.target,
    before: r.before === null ? null : (JSON.parse(r.before) as unknown),
    after: r.after === null ? null : (JSON.parse(r.after) as unknown),
    address: r.address,
  }));
}

/** A failure of demo.echo, made by cancelling a queued job. */
async function failure(): Promise<number> {
  const id = await store.library.enqueue("demo.echo", { n: 1 }, { delay: 3600 });
  await store.admin.cancelJob({ id }, { name: "seed", address: null });
  return id;
}

describe("admin actions write the change and its audit entry together", () => {
  it("enqueue records the job with its arguments, or a short entry for the API", async () => {
    const form = await store.admin.enqueue({ task: "demo.echo", args: { a: 1 } }, alice);
    const api = await store.admin.enqueue(
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
  });

  it("a refused enqueue writes neither job nor entry", async () => {
    await expect(store.admin.enqueue({ task: "no.such" }, alice)).rejects.toBeInstanceOf(
      InputError,
    );
    expect(await entries()).toEqual([]);
    expect((await store.reads.getQueueStats()).queued).toBe(0);
  });

  it("cancel and request-cancel record only what changed", async () => {
    const id = await store.library.enqueue("demo.echo", null, { delay: 60 });
    expect(await store.admin.requestCancel({ id }, alice)).toBe("not-found");
    expect(await store.admin.cancelJob({ id }, alice)).toBe("cancelled");
    expect(await store.admin.cancelJob({ id }, alice)).toBe("not-found");
    expect((await entries()).map((e) => [e.action, e.target])).toEqual([
      ["job.cancel", `job:${id}`],
    ]);
  });

  it("retry and delete list every id as compact ranges; a second retry records nothing", async () => {
    const a = await failure();
    const b = await failure();
    const first = await store.admin.retryFailures({ ids: [a, b] }, alice);
    expect(first.retried).toHaveLength(2);
    expect((await store.admin.retryFailures({ ids: [a] }, alice)).skipped).toEqual([a]);
    expect(await store.admin.deleteResults({ ids: [a] }, alice)).toBe(1);
    expect(await store.admin.deleteResults({ ids: [a] }, alice)).toBe(0);
    const log = (await entries()).filter((e) => e.actor === "alice");
    expect(log).toEqual([
      expect.objectContaining({
        action: "job.retry",
        target: "jobs:2",
        after: {
          count: 2,
          failureIds: compactIds([a, b]),
          jobIds: compactIds(first.retried.map((r) => r.jobId)),
        },
      }),
      expect.objectContaining({
        action: "job.delete",
        target: `job:${a}`,
        before: { count: 1, ids: `${a}` },
      }),
    ]);
  });

  it("retryAllFailures retries a task's failures once, as failures.retry", async () => {
    await failure();
    const cli = { name: "cli:ann", address: null };
    expect(await store.admin.retryAllFailures({ task: "demo.echo" }, cli)).toBe(1);
    expect(await store.admin.retryAllFailures({}, cli)).toBe(0);
    const log = (await entries()).filter((e) => e.actor === "cli:ann");
    expect(log.map((e) => [e.action, e.target])).toEqual([["failures.retry", "task:demo.echo"]]);
  });

  it("reveal returns raw values and records job.reveal; an unknown job records nothing", async () => {
    const id = await store.library.enqueue("demo.echo", { password: "hunter2" });
    expect((await store.admin.revealJob({ id }, alice))?.args).toEqual({ password: "hunter2" });
    expect(await store.admin.revealJob({ id: 999_999 }, alice)).toBeNull();
    expect((await entries()).map((e) => [e.action, e.target])).toEqual([
      ["job.reveal", `job:${id}`],
    ]);
  });

  it("schedules: save, enable, disable, run and delete each record one entry", async () => {
    const args = JSON.stringify({ apiKey: "k-1", to: "ann" });
    const { row } = await store.admin.saveSchedule(
      { id: null, input: { name: "nightly", task: "demo.echo", args, scheduleType: "daily" } },
      alice,
    );
    // The form sends secrets back masked: the stored value stays.
    const masked = JSON.stringify({ apiKey: MASK, to: "bob" });
    const saved = await store.admin.saveSchedule({ id: row.id, input: { args: masked } }, alice);
    expect(JSON.parse(saved.row.args)).toEqual({ apiKey: "k-1", to: "bob" });
    await store.admin.setScheduleEnabled({ id: row.id, isEnabled: false }, alice);
    const jobId = await store.admin.runScheduleNow({ id: row.id }, alice);
    expect((await store.admin.deleteSchedule({ id: row.id }, alice)).name).toBe("nightly");
    await expect(store.admin.deleteSchedule({ id: row.id }, alice)).rejects.toBeInstanceOf(
      InputError,
    );
    const log = await entries();
    expect(log.map((e) => [e.action, e.target])).toEqual([
      ["schedule.create", `schedule:${row.id}`],
      ["schedule.update", `schedule:${row.id}`],
      ["schedule.disable", `schedule:${row.id}`],
      ["schedule.run", `schedule:${row.id}`],
      ["schedule.delete", `schedule:${row.id}`],
    ]);
    expect(log[2]).toMatchObject({ before: { isEnabled: true }, after: { isEnabled: false } });
    expect(log[3]?.after).toEqual({ jobId });
    // Secrets are masked in the log.
    expect(JSON.stringify(log)).not.toContain("k-1");
  });
});
