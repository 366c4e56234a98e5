import path from "node:path";
import { describe, expect, it } from "vitest";
import { openDb } from "../client";
import { InputError } from "../errors";
import { migrateDatabase } from "../migrate";
import { createWorkerStore } from "./claim";
import { enqueueJob, enqueueJobs, serializeArgs } from "./enqueue";
import { INSERT_CHUNK_ROWS } from "./insert-jobs";
import { readGroup, readJob } from "./read";
import { deleteResults, retryFailedJobs } from "../lifecycle";
import { migrationsBefore, setupTestDb } from "./test-db";

const t = setupTestDb();

const count = () => t.db.$client.prepare(`SELECT COUNT(*) FROM jobs`).pluck().get();

describe("enqueue", () => {
  it("stores the job with its options and reads it back", () => {
    const before = Date.now();
    const id = enqueueJob(
      t.db,
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
    const job = readJob(t.db, id)!;
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
    expect(readGroup(t.db, "g1").map((j) => j.id)).toEqual([id]);
  });

  it("refuses an unknown task by name and writes nothing", () => {
    expect(() => enqueueJob(t.db, "emails.nope", {})).toThrowError(/Unknown task "emails.nope"/);
    expect(count()).toBe(0);
  });

  it.each([
    [{ priority: 1.5 }, "priority"],
    [{ delay: -1 }, "delay"],
    [{ maxAttempts: 0 }, "maxAttempts"],
    [{ timeout: 0 }, "timeout"],
    [{ queue: "" }, "queue"],
    [{ delay: 1e20 }, "delay"],
    [{ delay: 3650 * 86_400 + 1 }, "delay"],
    [{ priority: 1e308 }, "priority"],
    [{ priority: -1_000_001 }, "priority"],
    [{ timeout: 1e300 }, "timeout"],
    [{ maxAttempts: 1001 }, "maxAttempts"],
    [{ runAt: 1e20 }, "runAt"],
    [{ runAt: -1 }, "runAt"],
    [{ delay: Number.NaN }, "delay"],
    [{ name: "a\u0000b" }, "name"],
    [{ queue: "q\uD800" }, "queue"],
    [{ group: "\uDC00g" }, "group"],
    [{ uniqueKey: "k\u0000" }, "uniqueKey"],
  ])("refuses bad option %j naming the field", (options, field) => {
    try {
      enqueueJob(t.db, "demo.echo", {}, options as never);
      expect.unreachable();
    } catch (error) {
      expect(error).toBeInstanceOf(InputError);
      expect((error as InputError).field).toBe(field);
    }
    expect(count()).toBe(0);
  });

  it("says the field and its allowed range for an out-of-range number", () => {
    expect(() => enqueueJob(t.db, "demo.echo", {}, { delay: 1e20 })).toThrowError(
      "delay must be between 0 and 315360000 seconds, got 100000000000000000000",
    );
    expect(() => enqueueJob(t.db, "demo.echo", {}, { priority: 1e308 })).toThrowError(
      /priority must be a whole number between -1000000 and 1000000/,
    );
    expect(() => enqueueJob(t.db, "demo.echo", {}, { timeout: 1e300 })).toThrowError(
      /timeout must be between 0.001 and 2073600 seconds/,
    );
    expect(
      enqueueJob(
        t.db,
        "demo.echo",
        {},
        { delay: 3650 * 86_400, priority: -1_000_000, timeout: 0.001 },
      ),
    ).toBeGreaterThan(0);
  });

  it("refuses enqueueMany input that is not an array of job objects", () => {
    expect(() => enqueueJobs(t.db, "demo.echo" as never)).toThrowError(/array of jobs/);
    expect(() => enqueueJobs(t.db, [null as never])).toThrowError(/job 0: a job must be an object/);
    expect(() => enqueueJob(t.db, "demo.echo", {}, 5 as never)).toThrowError(/options must be/);
    expect(count()).toBe(0);
  });

  it("refuses a NUL or a lone surrogate in a task name and keeps paired surrogates", () => {
    expect(() => enqueueJob(t.db, "demo.echo\u0000", {})).toThrowError(
      /task must not contain a NUL/,
    );
    expect(() =>
      enqueueJobs(t.db, [{ task: "demo.echo", options: { name: "x\uD83D" } }]),
    ).toThrowError(/job 0: name must not contain a lone surrogate \(U\+D83D\)/);
    const id = enqueueJob(t.db, "demo.echo", {}, { name: "rocket \uD83D\uDE80" });
    expect(readJob(t.db, id)?.name).toBe("rocket \uD83D\uDE80");
  });

  it("refuses arguments that are not JSON, too large, or carry prototype keys", () => {
    expect(() => enqueueJob(t.db, "demo.echo", { n: 1n })).toThrowError(/JSON/);
    expect(() => enqueueJob(t.db, "demo.echo", { s: "x".repeat(70_000) })).toThrowError(/limit/);
    expect(() =>
      enqueueJob(t.db, "demo.echo", JSON.parse('{"__proto__": {"admin": true}}')),
    ).toThrowError(/__proto__/);
    expect(count()).toBe(0);
  });

  it("returns the live job's id for a repeated unique key, and a new one once it finished", () => {
    const a = enqueueJob(t.db, "demo.echo", {}, { uniqueKey: "k" });
    expect(enqueueJob(t.db, "demo.echo", {}, { uniqueKey: "k" })).toBe(a);
    t.db.$client.prepare(`DELETE FROM jobs WHERE id = ?`).run(a);
    expect(enqueueJob(t.db, "demo.echo", {}, { uniqueKey: "k" })).not.toBe(a);
  });

  it("enqueues many atomically: one bad job means none is written", () => {
    expect(() =>
      enqueueJobs(t.db, [{ task: "demo.echo" }, { task: "demo.echo", options: { priority: 0.5 } }]),
    ).toThrowError(/job 1: priority/);
    expect(count()).toBe(0);
    expect(
      enqueueJobs(
        t.db,
        Array.from({ length: 1000 }, () => ({ task: "demo.noop" })),
      ),
    ).toHaveLength(1000);
    expect(count()).toBe(1000);
  });
});

describe("enqueueing many in multi-row statements", () => {
  const argsById = () =>
    new Map(
      (
        t.db.$client.prepare(`SELECT id, args FROM jobs`).all() as { id: number; args: string }[]
      ).map((r) => [r.id, JSON.parse(r.args) as { i: number }]),
    );

  it("returns each job's id in input order with unique keys mixed in", () => {
    const live = enqueueJob(t.db, "demo.echo", {}, { uniqueKey: "held" });
    const n = INSERT_CHUNK_ROWS * 3 + 17;
    const keyAt = new Map([
      [120, "a"],
      [121, "held"],
      [240, "a"],
      [n - 1, "b"],
    ]);
    const ids = enqueueJobs(
      t.db,
      Array.from({ length: n }, (_, i) => ({
        task: "demo.noop",
        args: { i },
        options: keyAt.has(i) ? { uniqueKey: keyAt.get(i) } : {},
      })),
    );
    expect(ids).toHaveLength(n);
    expect(ids[121]).toBe(live);
    expect(ids[240]).toBe(ids[120]);
    const args = argsById();
    for (let i = 0; i < n; i++) {
      if (i === 121 || i === 240) continue;
      expect(args.get(ids[i]!)).toEqual({ i });
      if (i > 0 && i !== 122 && i !== 241) expect(ids[i]).toBeGreaterThan(ids[i - 1]!);
    }
    expect(count()).toBe(n - 1); // the held key's job was not written again
  });

  it("keeps every option of a job whose chunk mixes plain and optioned jobs", () => {
    const ids = enqueueJobs(
      t.db,
      Array.from({ length: INSERT_CHUNK_ROWS * 2 }, (_, i) => ({
        task: "demo.echo",
        args: { i },
        options:
          i === 37
            ? { name: "n37", group: "g", timeout: 2, maxAttempts: 5, hook: "demo.noop" }
            : {},
      })),
    );
    expect(readJob(t.db, ids[37]!)).toMatchObject({ name: "n37", group: "g", args: { i: 37 } });
    expect(
      t.db.$client
        .prepare(`SELECT timeout_ms, max_attempts, hook FROM jobs WHERE id = ?`)
        .get(ids[37]),
    ).toEqual({ timeout_ms: 2000, max_attempts: 5, hook: "demo.noop" });
    expect(readJob(t.db, ids[150]!)).toMatchObject({ name: null, group: null, args: { i: 150 } });
    expect(readGroup(t.db, "g").map((j) => j.id)).toEqual([ids[37]]);
  });

  it("writes none of the batch when the database refuses a row in the middle of a chunk", () => {
    t.db.$client.exec(`CREATE TRIGGER refuse_150 BEFORE INSERT ON jobs
      WHEN json_extract(NEW.args, '$.i') = 150 BEGIN SELECT RAISE(ABORT, 'row 150 refused'); END`);
    const jobs = Array.from({ length: INSERT_CHUNK_ROWS * 3 }, (_, i) => ({
      task: "demo.noop",
      args: { i },
    }));
    expect(() => enqueueJobs(t.db, jobs)).toThrowError(/row 150 refused/);
    expect(count()).toBe(0);
    t.db.$client.exec(`DROP TRIGGER refuse_150`);
    expect(enqueueJobs(t.db, jobs)).toHaveLength(jobs.length);
  });

  it("names the bad job in the middle of a batch and writes none", () => {
    const jobs = Array.from({ length: INSERT_CHUNK_ROWS * 3 }, (_, i) => ({
      task: "demo.noop",
      args: { i },
      options: i === 150 ? { queue: "" } : {},
    }));
    expect(() => enqueueJobs(t.db, jobs)).toThrowError(/job 150: queue/);
    expect(count()).toBe(0);
  });
});

describe("job ids", () => {
  /** Runs every queued job to success through the worker's write path; returns their ids. */
  function runAll(): number[] {
    const store = createWorkerStore(t.db, "w1");
    const jobs = store.claimJobs(10_000, null, 30_000);
    const now = Date.now();
    store.recordOutcomes(
      jobs.map((job) => ({ kind: "success", job, stoppedAt: now, result: "null" }) as const),
    );
    expect(count()).toBe(0);
    return jobs.map((j) => j.id);
  }

  it("are never reused: not after the queue drains, nor after results or queued jobs are deleted", () => {
    const first = enqueueJobs(
      t.db,
      Array.from({ length: 250 }, () => ({ task: "demo.noop" })),
    );
    expect(first).toEqual(Array.from({ length: 250 }, (_, i) => first[0]! + i));
    const done = runAll(); // the live queue is empty; the ids live on in results
    const a = enqueueJob(t.db, "demo.noop");
    expect(a).toBe(Math.max(...done) + 1);
    runAll();
    expect(deleteResults(t.db, [...done, a])).toBe(251); // every result is gone too
    const b = enqueueJob(t.db, "demo.noop");
    expect(b).toBe(a + 1);
    t.db.$client.prepare(`DELETE FROM jobs WHERE id = ?`).run(b); // a queued job deleted by hand
    const [c] = enqueueJobs(
      t.db,
      Array.from({ length: INSERT_CHUNK_ROWS }, () => ({ task: "demo.noop" })),
    );
    expect(c).toBe(b + 1);
    // A writer that leaves the id to SQLite (an older release) would get the queue's largest id
    // plus one, a finished job's id here: the insert fails instead of taking it.
    runAll();
    const plainInsert = () =>
      t.db.$client
        .prepare(
          `INSERT INTO jobs (task, args, queue, priority, state, run_at, created_at, attempts)
           VALUES ('demo.noop', 'null', 'default', 0, 'queued', 0, 0, 0)`,
        )
        .run();
    expect(plainInsert).toThrowError(/NOT NULL constraint failed: jobs.id_scheme/);
    const all = t.db.$client
      .prepare(`SELECT id FROM jobs UNION ALL SELECT id FROM results`)
      .pluck()
      .all();
    expect(new Set(all).size).toBe(all.length);
  });

  it("continue above every id an older database handed out when it migrates", () => {
    const folder = migrationsBefore(t.dir, "_jobs_ids_without_autoincrement");
    const old = openDb({ url: path.join(t.dir, "old.db"), migrate: false });
    try {
      migrateDatabase(old.$client, folder);
      const insert = old.$client.prepare(
        `INSERT INTO jobs (task, args, queue, priority, state, run_at, created_at, attempts)
         VALUES ('demo.noop', 'null', 'default', 0, 'queued', 0, 0, 0)`,
      );
      for (let i = 0; i < 5; i++) insert.run();
      // Jobs 3-5 finished and their results were pruned: only the sequence remembers them.
      old.$client.prepare(`DELETE FROM jobs WHERE id > 2`).run();
      expect(migrateDatabase(old.$client)).toBeGreaterThan(0);
      expect(old.$client.prepare(`SELECT id FROM jobs`).pluck().all()).toEqual([1, 2]);
      expect(enqueueJob(old, "demo.noop")).toBe(6);
    } finally {
      old.$client.close();
    }
  });
});

describe("argument checks", () => {
  it("refuses prototype keys at any depth, in short and long arguments", () => {
    for (const json of [
      '{"constructor": 1}',
      '{"a": [{"prototype": {}}]}',
      `{"pad": "${"x".repeat(500)}", "deep": {"__proto__": 1}}`,
    ]) {
      expect(() => serializeArgs(JSON.parse(json))).toThrowError(/may not contain the key/);
    }
    expect(serializeArgs({ note: "constructor", list: ["__proto__"] })).toBe(
      '{"note":"constructor","list":["__proto__"]}',
    );
  });

  it("refuses nesting past 64 levels and cycles, and counts bytes, not characters", () => {
    let deep: unknown = 1;
    for (let i = 0; i < 70; i++) deep = [deep];
    expect(() => serializeArgs(deep)).toThrowError(/nested more than 64 levels/);
    const cyclic: Record<string, unknown> = {};
    cyclic.self = cyclic;
    expect(() => serializeArgs(cyclic)).toThrowError(InputError);
    expect(() => serializeArgs({ s: "é".repeat(40_000) })).toThrowError(/bytes; the limit/);
    expect(serializeArgs({ s: "é".repeat(30_000) })).toHaveLength(30_008);
  });
});

describe("retrying a failure", () => {
  it("creates one new job linked both ways, and a second retry creates nothing", () => {
    t.db.$client
      .prepare(
        `INSERT INTO results (id, task, args, queue, priority, state, error, created_at, stopped_at, attempts) VALUES (900, 'demo.fail', '{"x":1}', 'default', 0, 'failure', 'boom', 1, 2, 3)`,
      )
      .run();
    const first = retryFailedJobs(t.db, [900, 900]);
    expect(first.retried).toHaveLength(1);
    const jobId = first.retried[0]!.jobId;
    expect(readJob(t.db, jobId)).toMatchObject({
      task: "demo.fail",
      args: { x: 1 },
      retryOf: 900,
      status: "queued",
    });
    expect(readJob(t.db, 900)).toMatchObject({ status: "failure", retriedAs: jobId });
    expect(retryFailedJobs(t.db, [900])).toEqual({ retried: [], skipped: [900] });
    expect(count()).toBe(1);
  });
});
