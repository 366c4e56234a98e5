/**
 * Every way a job ends, walked through the functions the processes that end it call: the
 * worker's write round, the lease rescue of upkeep, the dashboard's cancel. Each ending must write
 * the same kind of rows (results row with every setting of the job, attempt rows, counters,
 * failure groups) and enqueue the job's hook exactly once.
 */
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import type { Db } from "./client";
import { errorFingerprint } from "./queries/failure-groups";
import {
  cancelQueuedJob,
  deleteResults,
  JOB_SETTINGS,
  requestCancel,
  retryFailedJobs,
} from "./lifecycle";
import {
  createWorkerStore,
  type ClaimedJob,
  type Outcome,
  type WorkerStore,
} from "./queries/claim";
import { enqueueJob, type EnqueueOptions } from "./queries/enqueue";
import { openTestDb } from "./queries/test-db";
import { pruneResults, rescueExpiredLeases } from "./queries/upkeep";

let db: Db;
let cleanup: () => void;
let store: WorkerStore;
beforeEach(() => {
  ({ db, cleanup } = openTestDb());
  store = createWorkerStore(db, "w1");
});
afterEach(() => cleanup());

const LEASE = 30_000;

/** Every setting a job can carry, so a results row or a retry that drops one shows. */
const SETTINGS = {
  name: "nightly report",
  queue: "reports",
  priority: 4,
  group: "batch-7",
  timeout: 2,
  maxAttempts: 2,
  hook: "demo.echo",
} satisfies EnqueueOptions;

function enqueue(options: EnqueueOptions = {}): number {
  return enqueueJob(db, "demo.noop", { n: 1 }, { ...SETTINGS, ...options });
}

/** Claims the one due job (attempt `n` of it) and returns it. */
function claim(): ClaimedJob {
  const [job] = store.claimJobs(1, null, LEASE);
  return job!;
}

function fail(job: ClaimedJob, attemptOutcome: "error" | "timeout" | "cancelled", error: string) {
  const outcome: Outcome = {
    kind: "error",
    job,
    stoppedAt: Date.now(),
    error,
    stack: `${error}\n    at run (task.ts:1:1)`,
    attemptOutcome,
    retryAt: null,
  };
  return store.recordOutcomes([outcome]);
}

/** Runs attempts until the last one (requeued by the write round with no backoff). */
function spendAttempts(job: ClaimedJob): ClaimedJob {
  let current = job;
  while (current.attempts < current.maxAttempts) {
    store.recordOutcomes([
      {
        kind: "error",
        job: current,
        stoppedAt: Date.now(),
        error: "Boom",
        stack: null,
        attemptOutcome: "error",
        retryAt: Date.now() - 1,
      },
    ]);
    current = claim();
  }
  return current;
}

/** The endings, each run the way its process runs it; returns the job's id. */
const ENDINGS = {
  success: () => {
    const job = claim();
    store.recordOutcomes([{ kind: "success", job, stoppedAt: Date.now(), result: '{"ok":true}' }]);
    return { id: job.id, attempts: ["success"] };
  },
  "final failure": () => {
    const job = spendAttempts(claim());
    fail(job, "error", "Boom");
    return { id: job.id, attempts: ["error", "error"] };
  },
  timeout: () => {
    const job = spendAttempts(claim());
    fail(job, "timeout", "Timed out after 2 s");
    return { id: job.id, attempts: ["error", "timeout"] };
  },
  "lost by lease expiry with attempts used up": () => {
    const job = spendAttempts(claim());
    expect(rescueExpiredLeases(db, Date.now() + LEASE + 1).failed).toEqual([job.id]);
    return { id: job.id, attempts: ["error", "lost"] };
  },
  "cancelled while queued": () => {
    const id = enqueue({ delay: 60 });
    expect(cancelQueuedJob(db, id, "alice")).toBe("cancelled");
    return { id, attempts: [] };
  },
  "cancelled while running": () => {
    const job = claim();
    expect(requestCancel(db, job.id)).toBe("requested");
    // What the runner writes once the aborted task returns (see worker/runner.ts toOutcome).
    fail(job, "cancelled", "Cancelled on request: Cancelled on request");
    return { id: job.id, attempts: ["cancelled"] };
  },
  "cancelled while running, then lost by lease expiry": () => {
    const job = claim();
    expect(requestCancel(db, job.id)).toBe("requested");
    expect(rescueExpiredLeases(db, Date.now() + LEASE + 1).failed).toEqual([job.id]);
    return { id: job.id, attempts: ["lost"] };
  },
} satisfies Record<string, () => { id: number; attempts: string[] }>;

function hookArgs(id: number): unknown[] {
  return (
    db.$client
      .prepare(`SELECT args FROM jobs WHERE task = 'demo.echo' AND args ->> 'jobId' = ?`)
      .pluck()
      .all(id) as string[]
  ).map((a) => JSON.parse(a) as unknown);
}

function counter(name: string): number {
  return db.$client
    .prepare(`SELECT value FROM counters WHERE name = ?`)
    .pluck()
    .get(name) as number;
}

describe("every way a job ends", () => {
  for (const [ending, run] of Object.entries(ENDINGS)) {
    it(`${ending}: keeps the job's settings, writes its rows and enqueues its hook once`, () => {
      const before = { success: counter("success"), failure: counter("failure") };
      if (ending !== "cancelled while queued") enqueue();
      const { id, attempts } = run();

      expect(db.$client.prepare(`SELECT 1 FROM jobs WHERE id = ?`).get(id)).toBeUndefined();
      const row = db.$client.prepare(`SELECT * FROM results WHERE id = ?`).get(id) as Record<
        string,
        unknown
      >;
      expect(row).toMatchObject({
        task: "demo.noop",
        args: '{"n":1}',
        name: SETTINGS.name,
        queue: SETTINGS.queue,
        priority: SETTINGS.priority,
        group_name: SETTINGS.group,
        timeout_ms: 2000,
        max_attempts: SETTINGS.maxAttempts,
        hook: SETTINGS.hook,
        attempts: attempts.length,
      });
      const state = ending === "success" ? "success" : "failure";
      expect(row.state).toBe(state);

      expect(
        db.$client
          .prepare(`SELECT outcome FROM attempts WHERE job_id = ? ORDER BY attempt`)
          .pluck()
          .all(id),
      ).toEqual(attempts);

      expect(counter(state)).toBe(before[state] + 1);
      if (state === "failure") {
        expect(
          db.$client
            .prepare(`SELECT count FROM failure_groups WHERE message = ?`)
            .pluck()
            .get(errorFingerprint(String(row.error))),
        ).toBe(1);
      }

      const hook = hookArgs(id);
      expect(hook).toEqual([
        state === "success"
          ? { jobId: id, task: "demo.noop", state, result: { ok: true } }
          : { jobId: id, task: "demo.noop", state, error: row.error },
      ]);
      const hookJob = db.$client
        .prepare(`SELECT queue, state, max_attempts FROM jobs WHERE task = 'demo.echo'`)
        .get();
      expect(hookJob).toEqual({ queue: SETTINGS.queue, state: "queued", max_attempts: 3 });
    });
  }

  it("expired by retention: not an ending, so no second hook; its rows and counts go", () => {
    enqueue();
    const { id } = ENDINGS.success();
    expect(hookArgs(id)).toHaveLength(1);
    expect(pruneResults(db, { saveLimit: -1, saveDays: 0, failureDays: 0 })).toEqual({
      successes: 1,
      failures: 0,
    });
    expect(db.$client.prepare(`SELECT 1 FROM results WHERE id = ?`).get(id)).toBeUndefined();
    expect(db.$client.prepare(`SELECT 1 FROM attempts WHERE job_id = ?`).get(id)).toBeUndefined();
    expect(counter("success")).toBe(0);
    expect(hookArgs(id)).toHaveLength(1);
  });

  it("a late write by the worker that lost the job ends nothing twice", () => {
    enqueue({ maxAttempts: 1 });
    const job = claim();
    expect(rescueExpiredLeases(db, Date.now() + LEASE + 1).failed).toEqual([job.id]);
    expect(fail(job, "error", "Boom")).toEqual([job.id]);
    expect(
      store.recordOutcomes([{ kind: "success", job, stoppedAt: Date.now(), result: "1" }]),
    ).toEqual([job.id]);
    expect(cancelQueuedJob(db, job.id, "alice")).toBe("not-found");
    expect(hookArgs(job.id)).toHaveLength(1);
    expect(counter("failure")).toBe(1);
    expect(counter("success")).toBe(0);
  });

  it("enqueues the hooks of a batch set-wise, one per hooked job, with fresh ids", () => {
    const hooked = [enqueue(), enqueue()];
    const plain = [enqueueJob(db, "demo.noop"), enqueueJob(db, "demo.noop")];
    const third = enqueue();
    const jobs = store.claimJobs(10, null, LEASE);
    expect(jobs).toHaveLength(5);
    const outcomes = jobs.map((job): Outcome => ({
      kind: "success",
      job,
      stoppedAt: Date.now(),
      result: `${job.id}`,
    }));
    expect(store.recordOutcomes(outcomes)).toEqual([]);
    const hooks = db.$client
      .prepare(
        `SELECT id, args ->> 'jobId' AS jobId, args ->> 'result' AS result FROM jobs ORDER BY id`,
      )
      .all() as { id: number; jobId: number; result: number }[];
    expect(hooks.map((h) => h.jobId)).toEqual([...hooked, third]);
    expect(hooks.map((h) => h.result)).toEqual([...hooked, third]);
    expect(hooks.map((h) => h.id)).toEqual([third + 1, third + 2, third + 3]);
    expect(plain.every((id) => hookArgs(id).length === 0)).toBe(true);
  });
});

describe("retrying a failure", () => {
  it("carries every setting of the failed job over to the new one", () => {
    enqueue({ uniqueKey: "report:7" });
    const { id } = ENDINGS["final failure"]();
    const [retried] = retryFailedJobs(db, [id]).retried;
    const row = db.$client.prepare(`SELECT * FROM jobs WHERE id = ?`).get(retried!.jobId) as Record<
      string,
      unknown
    >;
    const failed = db.$client.prepare(`SELECT * FROM results WHERE id = ?`).get(id) as Record<
      string,
      unknown
    >;
    for (const setting of JOB_SETTINGS)
      expect([setting, row[setting]]).toEqual([setting, failed[setting]]);
    expect(row).toMatchObject({
      max_attempts: 2,
      timeout_ms: 2000,
      hook: "demo.echo",
      unique_key: "report:7",
      retry_of: id,
      attempts: 0,
      state: "queued",
    });
  });

  it("runs the retried job under its own max attempts: one attempt when it had one", () => {
    enqueue({ maxAttempts: 1 });
    fail(claim(), "timeout", "Timed out after 2 s");
    const failed = db.$client.prepare(`SELECT id FROM results`).pluck().get() as number;
    retryFailedJobs(db, [failed]);
    const again = claim();
    expect(again).toMatchObject({ maxAttempts: 1, timeoutMs: 2000, hook: "demo.echo" });
    fail(again, "timeout", "Timed out after 2 s");
    expect(
      db.$client.prepare(`SELECT count(*) FROM results WHERE state = 'failure'`).pluck().get(),
    ).toBe(2);
  });

  it("takes a live job holding the same unique key as the retry, as enqueue would", () => {
    enqueue({ uniqueKey: "report:7", maxAttempts: 1 });
    fail(claim(), "error", "Boom");
    const failed = db.$client.prepare(`SELECT id FROM results`).pluck().get() as number;
    const live = enqueue({ uniqueKey: "report:7" });
    expect(retryFailedJobs(db, [failed]).retried).toEqual([{ failureId: failed, jobId: live }]);
    expect(db.$client.prepare(`SELECT count(*) FROM jobs`).pluck().get()).toBe(2); // live + hook
    expect(retryFailedJobs(db, [failed]).skipped).toEqual([failed]);
  });

  it("gives a failure recorded before results kept settings the enqueue defaults", () => {
    db.$client
      .prepare(
        `INSERT INTO results (id, task, args, queue, priority, state, error, created_at, stopped_at, attempts)
         VALUES (900, 'demo.noop', '{}', 'default', 0, 'failure', 'boom', 1, 2, 3)`,
      )
      .run();
    const [retried] = retryFailedJobs(db, [900]).retried;
    expect(
      db.$client
        .prepare(`SELECT max_attempts, timeout_ms, hook FROM jobs WHERE id = ?`)
        .get(retried!.jobId),
    ).toEqual({ max_attempts: 3, timeout_ms: null, hook: null });
  });

  it("deleting a retried failure keeps its retry", () => {
    enqueue({ maxAttempts: 1 });
    fail(claim(), "error", "Boom");
    const failed = db.$client.prepare(`SELECT id FROM results`).pluck().get() as number;
    const [retried] = retryFailedJobs(db, [failed]).retried;
    expect(deleteResults(db, [failed])).toBe(1);
    expect(db.$client.prepare(`SELECT 1 FROM jobs WHERE id = ?`).get(retried!.jobId)).toBeDefined();
  });
});
