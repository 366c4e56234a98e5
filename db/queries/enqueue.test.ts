import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { openDb, type Db } from "../client";
import { InputError } from "../errors";
import { enqueueJob, enqueueJobs } from "./enqueue";
import { readGroup, readJob } from "./read";
import { retryFailedJobs } from "./retry";

let dir: string;
let db: Db;
beforeEach(() => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), "jobdeck-enqueue-"));
  db = openDb({ url: path.join(dir, "q.db") });
});
afterEach(() => {
  db.$client.close();
  fs.rmSync(dir, { recursive: true, force: true });
});

const count = () => db.$client.prepare(`SELECT COUNT(*) FROM jobs`).pluck().get();

describe("enqueue", () => {
  it("stores the job with its options and reads it back", () => {
    const before = Date.now();
    const id = enqueueJob(
      db,
      "demo.echo",
      { to: "ann" },
      {
        queue: "mail",
        priority: 3,
        delay: 10,
        group: "g1",
        timeout: 5,
        maxAttempts: 7,
        name: "welcome",
      },
    );
    const job = readJob(db, id)!;
    expect(job).toMatchObject({
      task: "demo.echo",
      args: { to: "ann" },
      queue: "mail",
      priority: 3,
      group: "g1",
      status: "queued",
      name: "welcome",
      attempts: 0,
    });
    expect(job.runAt! - before).toBeGreaterThanOrEqual(10_000);
    expect(readGroup(db, "g1").map((j) => j.id)).toEqual([id]);
  });

  it("refuses an unknown task by name and writes nothing", () => {
    expect(() => enqueueJob(db, "emails.nope", {})).toThrowError(/Unknown task "emails.nope"/);
    expect(count()).toBe(0);
  });

  it.each([
    [{ priority: 1.5 }, "priority"],
    [{ delay: -1 }, "delay"],
    [{ maxAttempts: 0 }, "maxAttempts"],
    [{ timeout: 0 }, "timeout"],
    [{ queue: "" }, "queue"],
  ])("refuses bad option %j naming the field", (options, field) => {
    try {
      enqueueJob(db, "demo.echo", {}, options as never);
      expect.unreachable();
    } catch (error) {
      expect(error).toBeInstanceOf(InputError);
      expect((error as InputError).field).toBe(field);
    }
    expect(count()).toBe(0);
  });

  it("refuses arguments that are not JSON, too large, or carry prototype keys", () => {
    expect(() => enqueueJob(db, "demo.echo", { n: 1n })).toThrowError(/JSON/);
    expect(() => enqueueJob(db, "demo.echo", { s: "x".repeat(70_000) })).toThrowError(/limit/);
    expect(() =>
      enqueueJob(db, "demo.echo", JSON.parse('{"__proto__": {"admin": true}}')),
    ).toThrowError(/__proto__/);
    expect(count()).toBe(0);
  });

  it("returns the live job's id for a repeated unique key, and a new one once it finished", () => {
    const a = enqueueJob(db, "demo.echo", {}, { uniqueKey: "k" });
    expect(enqueueJob(db, "demo.echo", {}, { uniqueKey: "k" })).toBe(a);
    db.$client.prepare(`DELETE FROM jobs WHERE id = ?`).run(a);
    expect(enqueueJob(db, "demo.echo", {}, { uniqueKey: "k" })).not.toBe(a);
  });

  it("enqueues many atomically: one bad job means none is written", () => {
    expect(() =>
      enqueueJobs(db, [{ task: "demo.echo" }, { task: "demo.echo", options: { priority: 0.5 } }]),
    ).toThrowError(/job 1: priority/);
    expect(count()).toBe(0);
    expect(
      enqueueJobs(
        db,
        Array.from({ length: 1000 }, () => ({ task: "demo.noop" })),
      ),
    ).toHaveLength(1000);
    expect(count()).toBe(1000);
  });
});

describe("retrying a failure", () => {
  it("creates one new job linked both ways, and a second retry creates nothing", () => {
    db.$client
      .prepare(
        `INSERT INTO results (id, task, args, queue, priority, state, error, created_at, stopped_at, attempts) VALUES (900, 'demo.fail', '{"x":1}', 'default', 0, 'failure', 'boom', 1, 2, 3)`,
      )
      .run();
    const first = retryFailedJobs(db, [900, 900]);
    expect(first.retried).toHaveLength(1);
    const jobId = first.retried[0]!.jobId;
    expect(readJob(db, jobId)).toMatchObject({
      task: "demo.fail",
      args: { x: 1 },
      retryOf: 900,
      status: "queued",
    });
    expect(readJob(db, 900)).toMatchObject({ status: "failure", retriedAs: jobId });
    expect(retryFailedJobs(db, [900])).toEqual({ retried: [], skipped: [900] });
    expect(count()).toBe(1);
  });
});
