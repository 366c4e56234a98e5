import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { openDb, type Db } from "../client";
import { claimSql, createWorkerStore, type ClaimedJob } from "./claim";
import { enqueueJob, enqueueJobs } from "./enqueue";
import { rescueExpiredLeases } from "./upkeep";

let dir: string;
let db: Db;

beforeEach(() => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), "jobdeck-claim-"));
  db = openDb({ url: path.join(dir, "q.db") });
});
afterEach(() => {
  db.$client.close();
  fs.rmSync(dir, { recursive: true, force: true });
});

const LEASE = 30_000;

describe("claiming", () => {
  it("takes higher priority first and FIFO within a priority", () => {
    const a = enqueueJob(db, "demo.noop", null, { priority: 0 });
    const b = enqueueJob(db, "demo.noop", null, { priority: 5 });
    const c = enqueueJob(db, "demo.noop", null, { priority: 0 });
    const store = createWorkerStore(db, "w1");
    expect(store.claimJobs(3, null, LEASE).map((j) => j.id)).toEqual([b, a, c]);
  });

  it("counts the attempt at claim time and stamps the lease", () => {
    const id = enqueueJob(db, "demo.noop");
    const now = Date.now();
    const [job] = createWorkerStore(db, "w1").claimJobs(1, null, LEASE, now);
    expect(job!.attempts).toBe(1);
    const row = db.$client.prepare(`SELECT * FROM jobs WHERE id = ?`).get(id) as Record<
      string,
      unknown
    >;
    expect(row).toMatchObject({ state: "running", locked_by: "w1", lease_expires_at: now + LEASE });
  });

  it("hands the worker every field of the claimed row, with the claim's token and start", () => {
    const id = enqueueJob(
      db,
      "demo.echo",
      { n: 1 },
      {
        name: "nightly",
        queue: "reports",
        priority: 3,
        timeout: 2.5,
        maxAttempts: 4,
        hook: "demo.noop",
      },
    );
    const plain = enqueueJob(db, "demo.noop");
    const now = Date.now();
    const jobs = createWorkerStore(db, "w1").claimJobs(2, null, LEASE, now);
    const row = (jobId: number) =>
      db.$client
        .prepare(`SELECT claim_token AS token, started_at AS startedAt FROM jobs WHERE id = ?`)
        .get(jobId) as { token: string; startedAt: number };
    expect(jobs).toEqual([
      {
        id,
        name: "nightly",
        task: "demo.echo",
        args: '{"n":1}',
        queue: "reports",
        priority: 3,
        attempts: 1,
        maxAttempts: 4,
        timeoutMs: 2500,
        hook: "demo.noop",
        claimToken: row(id).token,
        startedAt: now,
      },
      {
        id: plain,
        name: null,
        task: "demo.noop",
        args: "null",
        queue: "default",
        priority: 0,
        attempts: 1,
        maxAttempts: 3,
        timeoutMs: null,
        hook: null,
        claimToken: row(plain).token,
        startedAt: now,
      },
    ] satisfies ClaimedJob[]);
    expect(row(id).startedAt).toBe(now);
  });

  it("claims only from the selected queues", () => {
    enqueueJob(db, "demo.noop", null, { queue: "mail" });
    const b = enqueueJob(db, "demo.noop", null, { queue: "reports" });
    expect(
      createWorkerStore(db, "w1")
        .claimJobs(10, ["reports"], LEASE)
        .map((j) => j.id),
    ).toEqual([b]);
  });

  it("merges several queues in claim order without walking other queues' rows", () => {
    enqueueJobs(
      db,
      Array.from({ length: 2000 }, () => ({ task: "demo.noop" })),
    );
    const m1 = enqueueJob(db, "demo.noop", null, { queue: "mail" });
    const r1 = enqueueJob(db, "demo.noop", null, { queue: "reports", priority: 5 });
    const m2 = enqueueJob(db, "demo.noop", null, { queue: "mail", priority: 5 });
    const r2 = enqueueJob(db, "demo.noop", null, { queue: "reports" });
    const store = createWorkerStore(db, "w1");
    expect(store.claimJobs(3, ["mail", "reports"], LEASE).map((j) => j.id)).toEqual([r1, m2, m1]);
    expect(store.claimJobs(3, ["mail", "reports"], LEASE).map((j) => j.id)).toEqual([r2]);
    // Each queue is read from its own index range: the default queue's rows are never visited.
    const plan = db.$client
      .prepare(`EXPLAIN QUERY PLAN ${claimSql(2)}`)
      .all({ worker: "w", now: 0, leaseUntil: 0, token: "t", limit: 3, q0: "a", q1: "b" }) as {
      detail: string;
    }[];
    const searches = plan
      .map((r) => r.detail)
      .filter((d) => /jobs_claim_queue_idx \(queue=\?/.test(d));
    expect(searches).toHaveLength(2);
    expect(plan.map((r) => r.detail).join("\n")).not.toMatch(/SCAN jobs/);
  });

  it("leaves delayed jobs until their time", () => {
    enqueueJob(db, "demo.noop", null, { delay: 60 });
    const store = createWorkerStore(db, "w1");
    expect(store.claimJobs(10, null, LEASE)).toEqual([]);
    expect(store.hasDueJobs()).toBe(false);
    expect(store.claimJobs(10, null, LEASE, Date.now() + 61_000)).toHaveLength(1);
  });

  it("never hands one job to two connections claiming at once", () => {
    enqueueJobs(
      db,
      Array.from({ length: 500 }, () => ({ task: "demo.noop" })),
    );
    const other = openDb({ url: path.join(dir, "q.db") });
    const s1 = createWorkerStore(db, "w1");
    const s2 = createWorkerStore(other, "w2");
    const seen: number[] = [];
    for (let i = 0; i < 60; i++) {
      seen.push(...s1.claimJobs(7, null, LEASE).map((j) => j.id));
      seen.push(...s2.claimJobs(5, null, LEASE).map((j) => j.id));
    }
    other.$client.close();
    expect(seen).toHaveLength(500);
    expect(new Set(seen).size).toBe(500);
  });
});

describe("recording outcomes", () => {
  function claimOne(workerId = "w1"): {
    job: ClaimedJob;
    store: ReturnType<typeof createWorkerStore>;
  } {
    const store = createWorkerStore(db, workerId);
    const [job] = store.claimJobs(1, null, LEASE);
    return { job: job!, store };
  }

  it("moves a success to results with duration, attempts and result, and keeps the attempt", () => {
    const id = enqueueJob(db, "demo.echo", { a: 1 }, { group: "g" });
    const { job, store } = claimOne();
    expect(
      store.recordOutcomes([
        { kind: "success", job, stoppedAt: job.startedAt + 42, result: '{"a":1}' },
      ]),
    ).toEqual([]);
    expect(db.$client.prepare(`SELECT COUNT(*) FROM jobs`).pluck().get()).toBe(0);
    const row = db.$client.prepare(`SELECT * FROM results WHERE id = ?`).get(id) as Record<
      string,
      unknown
    >;
    expect(row).toMatchObject({
      state: "success",
      duration_ms: 42,
      attempts: 1,
      result: '{"a":1}',
      worker_id: "w1",
      group_name: "g",
    });
    expect(
      db.$client.prepare(`SELECT outcome FROM attempts WHERE job_id = ?`).pluck().all(id),
    ).toEqual(["success"]);
    expect(
      db.$client.prepare(`SELECT value FROM counters WHERE name = 'success'`).pluck().get(),
    ).toBe(1);
  });

  it("requeues a retry with its run time and error, then fails for good", () => {
    const id = enqueueJob(db, "demo.fail", null, { maxAttempts: 2 });
    const { job, store } = claimOne();
    const retryAt = Date.now() - 1;
    store.recordOutcomes([
      {
        kind: "error",
        job,
        stoppedAt: Date.now(),
        error: "boom 1",
        stack: "at x",
        attemptOutcome: "error",
        retryAt,
      },
    ]);
    expect(
      db.$client.prepare(`SELECT state, run_at, last_error FROM jobs WHERE id = ?`).get(id),
    ).toEqual({ state: "queued", run_at: retryAt, last_error: "boom 1" });
    const [again] = store.claimJobs(1, null, LEASE);
    expect(again!.attempts).toBe(2);
    store.recordOutcomes([
      {
        kind: "error",
        job: again!,
        stoppedAt: Date.now(),
        error: "boom 2",
        stack: "at y",
        attemptOutcome: "error",
        retryAt: null,
      },
    ]);
    expect(
      db.$client
        .prepare(`SELECT state, attempts, error, error_stack FROM results WHERE id = ?`)
        .get(id),
    ).toEqual({ state: "failure", attempts: 2, error: "boom 2", error_stack: "at y" });
    expect(
      db.$client
        .prepare(`SELECT error FROM attempts WHERE job_id = ? ORDER BY attempt`)
        .pluck()
        .all(id),
    ).toEqual(["boom 1", "boom 2"]);
  });

  it("ignores every write of a worker whose lease was taken over", () => {
    const id = enqueueJob(db, "demo.noop");
    const { job: stale, store: s1 } = claimOne("w1");
    // The lease expires, the job is rescued and claimed by another worker.
    rescueExpiredLeases(db, Date.now() + LEASE + 1);
    const s2 = createWorkerStore(db, "w2");
    const [fresh] = s2.claimJobs(1, null, LEASE, Date.now() + LEASE + 2);
    expect(fresh!.id).toBe(id);
    expect(
      s1.recordOutcomes([{ kind: "success", job: stale, stoppedAt: Date.now(), result: "1" }]),
    ).toEqual([id]);
    expect(s1.renewLeases(LEASE).held.has(id)).toBe(false);
    expect(
      db.$client.prepare(`SELECT locked_by, state, attempts FROM jobs WHERE id = ?`).get(id),
    ).toEqual({ locked_by: "w2", state: "running", attempts: 2 });
    expect(db.$client.prepare(`SELECT COUNT(*) FROM results`).pluck().get()).toBe(0);
  });

  it("rescues an expired lease as a lost attempt, and fails it when attempts are spent", () => {
    const a = enqueueJob(db, "demo.noop", null, { maxAttempts: 2 });
    const b = enqueueJob(db, "demo.noop", null, { maxAttempts: 1 });
    createWorkerStore(db, "w1").claimJobs(2, null, 1000);
    const r = rescueExpiredLeases(db, Date.now() + 5000);
    expect(r).toEqual({ requeued: [a], failed: [b] });
    expect(
      db.$client.prepare(`SELECT outcome FROM attempts ORDER BY job_id`).pluck().all(),
    ).toEqual(["lost", "lost"]);
    expect(db.$client.prepare(`SELECT error FROM results WHERE id = ?`).pluck().get(b)).toMatch(
      /^Lost: its worker stopped renewing its lease .*\nWorker: w1$/,
    );
  });

  it("writes a batch of successes and the next claim in one transaction, token-checked", () => {
    const ids = enqueueJobs(
      db,
      Array.from({ length: 5 }, (_, i) => ({ task: "demo.noop", args: { i } })),
    );
    const store = createWorkerStore(db, "w1");
    const first = store.tryCycle([], { limit: 3, queues: null, leaseMs: LEASE })!;
    expect(first.claimed.map((j) => j.id)).toEqual(ids.slice(0, 3));
    const stale = { ...first.claimed[2]!, claimToken: "not-this-claim" };
    const done = [first.claimed[0]!, first.claimed[1]!, stale].map((job, i) => ({
      kind: "success" as const,
      job,
      startedAt: 1000 + i,
      stoppedAt: 1010 + i * 2,
      result: JSON.stringify({ n: i }),
    }));
    const second = store.tryCycle(done, { limit: 5, queues: null, leaseMs: LEASE })!;
    expect(second.lost).toEqual([stale.id]);
    expect(second.claimed.map((j) => j.id)).toEqual(ids.slice(3));
    expect(
      db.$client
        .prepare(
          `SELECT id, result, started_at, stopped_at, duration_ms, attempts FROM results ORDER BY id`,
        )
        .all(),
    ).toEqual([
      {
        id: ids[0],
        result: '{"n":0}',
        started_at: 1000,
        stopped_at: 1010,
        duration_ms: 10,
        attempts: 1,
      },
      {
        id: ids[1],
        result: '{"n":1}',
        started_at: 1001,
        stopped_at: 1012,
        duration_ms: 11,
        attempts: 1,
      },
    ]);
    expect(
      db.$client
        .prepare(`SELECT job_id, attempt, outcome, duration_ms FROM attempts ORDER BY id`)
        .all(),
    ).toEqual([
      { job_id: ids[0], attempt: 1, outcome: "success", duration_ms: 10 },
      { job_id: ids[1], attempt: 1, outcome: "success", duration_ms: 11 },
    ]);
    expect(db.$client.prepare(`SELECT id FROM jobs ORDER BY id`).pluck().all()).toEqual(
      ids.slice(2),
    );
  });

  it("does not wait for the write lock another connection holds", () => {
    enqueueJob(db, "demo.noop");
    const other = openDb({ url: path.join(dir, "q.db") });
    const store = createWorkerStore(db, "w1");
    other.$client.prepare(`BEGIN IMMEDIATE`).run();
    const started = Date.now();
    expect(store.tryCycle([], { limit: 1, queues: null, leaseMs: LEASE })).toBeNull();
    expect(Date.now() - started).toBeLessThan(1000);
    other.$client.prepare(`ROLLBACK`).run();
    other.$client.close();
    expect(store.tryCycle([], { limit: 1, queues: null, leaseMs: LEASE })!.claimed).toHaveLength(1);
    // The connection waits for locks again in its other writes.
    expect(db.$client.pragma("busy_timeout", { simple: true })).toBeGreaterThan(0);
  });

  it("hands back claimed jobs that never started without counting an attempt", () => {
    const [a, b] = enqueueJobs(db, [{ task: "demo.noop" }, { task: "demo.noop" }]);
    const store = createWorkerStore(db, "w1");
    const claimed = store.claimJobs(2, null, LEASE);
    expect(store.unclaimJobs(claimed.filter((j) => j.id === b))).toBe(1);
    expect(
      db.$client
        .prepare(
          `SELECT id, state, attempts, locked_by, claim_token, first_started_at FROM jobs ORDER BY id`,
        )
        .all(),
    ).toEqual([
      expect.objectContaining({ id: a, state: "running", attempts: 1, locked_by: "w1" }),
      {
        id: b,
        state: "queued",
        attempts: 0,
        locked_by: null,
        claim_token: null,
        first_started_at: null,
      },
    ]);
    expect(db.$client.prepare(`SELECT COUNT(*) FROM attempts`).pluck().get()).toBe(0);
  });
});
