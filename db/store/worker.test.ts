/**
 * The worker store group (WorkerStore) on both databases: claim order and batching, concurrent
 * claims by two stores (on PostgreSQL from two pools) never sharing a job, outcomes (success,
 * retry with backoff, final failure with its hook once), lost leases, lease renewal, progress and
 * cancel requests, unclaim and release, the idle worker's reads, and the commit watch waking on
 * another connection's enqueue (PostgreSQL: NOTIFY).
 */
import { afterEach, describe, expect, it } from "vitest";
import { pgLibraryStore } from "../pg/store/library";
import { startPgListener } from "../pg/listen";
import { JOBS_CHANNEL } from "../pg/queries/enqueue";
import { pgUpkeepStore } from "../pg/store/upkeep";
import { pgWorkerStore } from "../pg/store/worker";
import { openSqliteWorkerStore } from "../sqlite/worker-store";
import { DIALECTS, useTestConnection } from "../testing/dialects";
import { sqlCount, sqlRows } from "../testing/pglib-rows";
import { sqliteLibraryStore, type LibraryStore } from "./library";
import type { ClaimedJob, Outcome, WorkerStore } from "./worker";

const LEASE = 30_000;

describe.each(DIALECTS)("worker store on %s", (dialect) => {
  const conn = useTestConnection(dialect);
  const opened: WorkerStore[] = [];
  afterEach(async () => {
    await Promise.all(opened.splice(0).map((s) => s.close()));
  });
  function worker(id = "w1"): WorkerStore {
    const s =
      dialect === "sqlite"
        ? openSqliteWorkerStore(conn().url, id)
        : pgWorkerStore(conn().url, id, { log: () => {} });
    opened.push(s);
    return s;
  }
  const library = (): LibraryStore =>
    dialect === "sqlite" ? sqliteLibraryStore(() => conn().sqlite!) : pgLibraryStore(conn().pool!);
  const rows = <T = Record<string, unknown>>(sql: string, params: unknown[] = []) =>
    sqlRows<T>(conn(), sql, params);
  const count = (sql: string, params: unknown[] = []) => sqlCount(conn(), sql, params);

  /** cycle, tried again while SQLite reports the write lock taken. */
  async function cycle(store: WorkerStore, outcomes: Outcome[], limit: number) {
    for (;;) {
      const r = await store.cycle(outcomes, { limit, queues: null, leaseMs: LEASE });
      if (r) return r;
      await new Promise<void>((resolve) => store.whenWritable(0, resolve));
    }
  }
  const success = (job: ClaimedJob): Outcome => ({
    kind: "success",
    job,
    stoppedAt: job.startedAt + 5,
    result: JSON.stringify({ ok: job.id }),
  });
  const failure = (job: ClaimedJob, retryAt: number | null): Outcome => ({
    kind: "error",
    job,
    stoppedAt: job.startedAt + 5,
    error: "Boom\nsecond line",
    stack: "Error: Boom\n    at x",
    attemptOutcome: "error",
    retryAt,
  });

  it("claims in priority then FIFO order, in batches, from the queues asked", async () => {
    const lib = library();
    const low = await lib.enqueue("demo.noop", {}, {});
    const high = await lib.enqueue("demo.noop", {}, { priority: 5 });
    const low2 = await lib.enqueue("demo.noop", {}, {});
    const mail = await lib.enqueue("demo.noop", {}, { queue: "mail" });
    const store = worker();
    expect(store.workerId).toBe("w1");
    const first = await store.claimJobs(2, null, LEASE);
    expect(first.map((j) => j.id)).toEqual([high, low]);
    expect(first[0]).toMatchObject({ task: "demo.noop", attempts: 1, queue: "default" });
    expect(typeof first[0]!.claimToken).toBe("string");
    expect(await store.claimJobs(5, ["mail"], LEASE)).toMatchObject([{ id: mail }]);
    const rest = await cycle(store, [], 5);
    expect(rest).toEqual({ lost: [], claimed: [expect.objectContaining({ id: low2 })] });
    expect(await store.claimJobs(5, null, LEASE)).toEqual([]);
    const [running] = await rows<{ state: string; locked_by: string }>(
      `SELECT state, locked_by FROM jobs WHERE id = ?`,
      [high],
    );
    expect(running).toMatchObject({ state: "running", locked_by: "w1" });
  });

  it("two stores claiming at once never take one job twice", async () => {
    const ids = await library().enqueueMany(
      Array.from({ length: 120 }, (_, i) => ({ task: "demo.noop", args: { i } })),
    );
    const stores = [worker("a"), worker("b")];
    const seen: number[][] = [[], []];
    await Promise.all(
      stores.map(async (store, k) => {
        let outcomes: Outcome[] = [];
        for (;;) {
          const { lost, claimed } = await cycle(store, outcomes, 7);
          expect(lost).toEqual([]);
          if (claimed.length === 0 && outcomes.length === 0) return;
          seen[k]!.push(...claimed.map((j) => j.id));
          outcomes = claimed.map(success);
        }
      }),
    );
    const all = [...seen[0]!, ...seen[1]!];
    expect(new Set(all).size).toBe(all.length);
    expect(all.sort((a, b) => a - b)).toEqual(ids);
    expect(await count(`SELECT count(*) FROM results WHERE state = 'success'`)).toBe(120);
  });

  it("writes a success, a retry with backoff and a final failure with its hook once", async () => {
    const lib = library();
    const ok = await lib.enqueue("demo.noop", {}, {});
    const again = await lib.enqueue("demo.noop", {}, { maxAttempts: 3 });
    const dead = await lib.enqueue("demo.noop", {}, { hook: "demo.echo", queue: "q" });
    const store = worker();
    const claimed = await store.claimJobs(3, null, LEASE);
    const job = (id: number) => claimed.find((j) => j.id === id)!;
    const retryAt = job(again).startedAt + 60_000;
    const outcomes = [success(job(ok)), failure(job(again), retryAt), failure(job(dead), null)];
    expect(await cycle(store, outcomes, 0)).toEqual({ lost: [], claimed: [] });

    const results = await rows<{
      id: number;
      state: string;
      result: string | null;
      error: string | null;
      worker_id: string;
    }>(`SELECT id, state, result, error, worker_id FROM results ORDER BY id`);
    expect(results).toEqual([
      { id: ok, state: "success", result: JSON.stringify({ ok }), error: null, worker_id: "w1" },
      { id: dead, state: "failure", result: null, error: "Boom\nsecond line", worker_id: "w1" },
    ]);
    const [retried] = await rows<{
      state: string;
      run_at: number;
      last_error: string;
      attempts: number;
    }>(`SELECT state, run_at, last_error, attempts FROM jobs WHERE id = ?`, [again]);
    expect(retried).toEqual({
      state: "queued",
      run_at: retryAt,
      last_error: "Boom\nsecond line",
      attempts: 1,
    });
    const attempts = await rows<{ job_id: number; outcome: string; duration_ms: number }>(
      `SELECT job_id, outcome, duration_ms FROM attempts ORDER BY job_id`,
    );
    expect(attempts).toEqual([
      { job_id: ok, outcome: "success", duration_ms: 5 },
      { job_id: again, outcome: "error", duration_ms: 5 },
      { job_id: dead, outcome: "error", duration_ms: 5 },
    ]);
    const hooks = await rows<{ task: string; queue: string; args: string }>(
      `SELECT task, queue, args FROM jobs WHERE task = 'demo.echo'`,
    );
    expect(hooks).toHaveLength(1);
    expect(hooks[0]).toMatchObject({ task: "demo.echo", queue: "q" });
    expect(JSON.parse(hooks[0]!.args)).toEqual({
      jobId: dead,
      task: "demo.noop",
      state: "failure",
      error: "Boom\nsecond line",
    });
    // Written again (a duplicate report): the lease is gone, nothing more is written.
    expect(await store.recordOutcomes([failure(job(dead), null)])).toEqual([dead]);
    expect(await count(`SELECT count(*) FROM jobs WHERE task = 'demo.echo'`)).toBe(1);
    expect(await count(`SELECT count(*) FROM results`)).toBe(2);
    const [w] = await rows<{ n: number }>(`SELECT count(*) AS n FROM attempts`);
    expect(Number(w!.n)).toBe(3);
  });

  it("ignores outcomes and progress of a job whose claim token changed", async () => {
    const id = await library().enqueue("demo.noop", {}, {});
    const store = worker();
    const [job] = await store.claimJobs(1, null, LEASE);
    await rows(`UPDATE jobs SET claim_token = 'someone-else' WHERE id = ?`, [id]);
    await store.writeProgress([{ id, token: job!.claimToken, value: 0.5, message: "half" }]);
    expect(await store.recordOutcomes([success(job!)])).toEqual([id]);
    expect(await cycle(store, [failure(job!, null)], 0)).toEqual({ lost: [id], claimed: [] });
    expect(await count(`SELECT count(*) FROM results`)).toBe(0);
    expect(await count(`SELECT count(*) FROM attempts`)).toBe(0);
    const [row] = await rows<{ state: string; progress: number | null }>(
      `SELECT state, progress FROM jobs WHERE id = ?`,
      [id],
    );
    expect(row).toEqual({ state: "running", progress: null });
  });

  it("renews leases, writes progress and reports cancel requests", async () => {
    const [a, b] = await library().enqueueMany([
      { task: "demo.noop", args: {} },
      { task: "demo.noop", args: {} },
    ]);
    const store = worker();
    const other = worker("w2");
    const [ja] = await store.claimJobs(1, null, 1_000);
    await other.claimJobs(1, null, 1_000);
    const before = Date.now();
    const state = await store.renewLeases(LEASE, [
      { id: a!, token: ja!.claimToken, value: 0.25, message: "a quarter" },
    ]);
    expect([...state.held]).toEqual([[a, ja!.claimToken]]);
    expect([...state.cancelRequested]).toEqual([]);
    const [row] = await rows<{
      lease_expires_at: number;
      progress: number;
      progress_message: string;
    }>(`SELECT lease_expires_at, progress, progress_message FROM jobs WHERE id = ?`, [a]);
    expect(row!.lease_expires_at).toBeGreaterThanOrEqual(before + LEASE - 1000);
    expect(row).toMatchObject({ progress: 0.25, progress_message: "a quarter" });
    await rows(`UPDATE jobs SET cancel_requested_at = 1 WHERE id IN (?, ?)`, [a, b]);
    expect(await store.cancelRequests()).toEqual([a]);
    expect([...(await store.renewLeases(LEASE)).cancelRequested]).toEqual([a]);
    await store.writeProgress([{ id: a!, token: ja!.claimToken, value: 1, message: null }]);
    const [after] = await rows<{ progress: number }>(`SELECT progress FROM jobs WHERE id = ?`, [a]);
    expect(after!.progress).toBe(1);
  });

  it("hands back unstarted jobs uncounted and releases running ones with a lost attempt", async () => {
    const [a, b] = await library().enqueueMany([
      { task: "demo.noop", args: {} },
      { task: "demo.noop", args: {} },
    ]);
    const store = worker();
    const claimed = await store.claimJobs(2, null, LEASE);
    const job = (id: number) => claimed.find((j) => j.id === id)!;
    expect(await store.unclaimJobs([job(a!)])).toBe(1);
    expect(await store.unclaimJobs([job(a!)])).toBe(0);
    expect(await store.releaseJobs([job(b!)])).toBe(1);
    expect(await store.releaseJobs([job(b!)])).toBe(0);
    const jobs = await rows<{
      id: number;
      state: string;
      attempts: number;
      started_at: number | null;
      first_started_at: number | null;
      last_error: string | null;
    }>(
      `SELECT id, state, attempts, started_at, first_started_at, last_error FROM jobs ORDER BY id`,
    );
    expect(jobs[0]).toEqual({
      id: a,
      state: "queued",
      attempts: 0,
      started_at: null,
      first_started_at: null,
      last_error: null,
    });
    expect(jobs[1]).toMatchObject({
      id: b,
      state: "queued",
      attempts: 1,
      last_error: "Released at worker shutdown",
    });
    expect(await rows(`SELECT job_id, outcome, error FROM attempts`)).toEqual([
      { job_id: b, outcome: "lost", error: "Released at worker shutdown before the job finished" },
    ]);
  });

  it("tells whether jobs are due and when the next delayed one comes due", async () => {
    const lib = library();
    const store = worker();
    expect(await store.hasDueJobs(Date.now(), null)).toBe(false);
    expect(await store.nextRunAt()).toBeNull();
    const later = await lib.enqueue("demo.noop", {}, { delay: 60, queue: "a" });
    const [row] = await rows<{ run_at: number }>(`SELECT run_at FROM jobs WHERE id = ?`, [later]);
    expect(await store.hasDueJobs(Date.now(), null)).toBe(false);
    expect(await store.nextRunAt()).toBe(row!.run_at);
    // A delayed job is not claimed early.
    expect(await store.claimJobs(5, null, LEASE)).toEqual([]);
    await lib.enqueue("demo.noop", {}, { queue: "a" });
    expect(await store.hasDueJobs(Date.now(), null)).toBe(true);
    expect(await store.hasDueJobs(Date.now(), ["a", "c"])).toBe(true);
    expect(await store.hasDueJobs(Date.now(), ["b"])).toBe(false);
  });

  it("wakes a watcher when another connection enqueues, and moves the change token", async () => {
    const store = worker();
    const lib = library();
    let woken = 0;
    const stop = store.watchCommits(() => woken++);
    const token = await store.changeToken();
    // The watch may start a moment after the call (PostgreSQL: the LISTEN connection): enqueue
    // until it fires.
    for (let i = 0; i < 60 && woken === 0; i++) {
      await lib.enqueue("demo.noop", { i }, {});
      await new Promise((r) => setTimeout(r, 50));
    }
    expect(woken).toBeGreaterThan(0);
    expect(await store.changeToken()).not.toBe(token);
    stop();
    const seen = woken;
    await lib.enqueue("demo.noop", {}, {});
    await new Promise((r) => setTimeout(r, 200));
    expect(woken).toBe(seen);
  });

  it("reports writable on a later tick, never before returning", async () => {
    const store = worker();
    let ready = false;
    store.whenWritable(0, () => (ready = true));
    expect(ready).toBe(false);
    await new Promise((r) => setTimeout(r, 100));
    expect(ready).toBe(true);
    let cancelled = false;
    store.whenWritable(3, () => (cancelled = true))();
    await new Promise((r) => setTimeout(r, 100));
    expect(cancelled).toBe(false);
  });
});

describe.skipIf(!DIALECTS.includes("postgres"))("worker store on postgres only", () => {
  const conn = useTestConnection("postgres");

  it("never reports busy: cycle resolves while another transaction holds queued rows", async () => {
    const lib = pgLibraryStore(conn().pool!);
    const ids = await lib.enqueueMany([
      { task: "demo.noop", args: {} },
      { task: "demo.noop", args: {} },
    ]);
    const holder = await conn().pool!.connect();
    const store = pgWorkerStore(conn().url, "w1", { log: () => {} });
    try {
      await holder.query("BEGIN");
      await holder.query(`SELECT id FROM jobs WHERE id = $1 FOR UPDATE`, [ids[0]]);
      const r = await store.cycle([], { limit: 5, queues: null, leaseMs: LEASE });
      expect(r?.claimed.map((j) => j.id)).toEqual([ids[1]]);
    } finally {
      await holder.query("ROLLBACK");
      holder.release();
      await store.close();
    }
  });

  it("an enqueue NOTIFYs once per queue, not per row; hooks, retries and hand-backs too", async () => {
    const seen: (string | undefined)[] = [];
    const listener = startPgListener(conn().url, [JOBS_CHANNEL], {
      onNotify: (_channel, payload) => seen.push(payload),
      log: () => {},
    });
    await listener.ready;
    const settle = () => new Promise((r) => setTimeout(r, 150));
    const lib = pgLibraryStore(conn().pool!);
    const store = pgWorkerStore(conn().pool!, "w1", { listen: false });
    try {
      await lib.enqueueMany([
        ...Array.from({ length: 30 }, () => ({ task: "demo.noop", args: {} })),
        ...Array.from({ length: 20 }, () => ({
          task: "demo.noop",
          args: {},
          options: { queue: "mail", hook: "demo.echo" },
        })),
      ]);
      await lib.enqueue("demo.noop", {}, { queue: "solo", uniqueKey: "k" });
      await settle();
      expect(seen.sort()).toEqual(["default", "mail", "solo"]);
      seen.length = 0;
      const claimed = await store.claimJobs(50, ["mail"], LEASE);
      const [first, second, ...rest] = claimed;
      await store.recordOutcomes(
        rest.map((job) => ({ kind: "success", job, stoppedAt: job.startedAt, result: "null" })),
      );
      await settle();
      expect(seen).toEqual(["mail"]); // 18 hooks, one notification
      seen.length = 0;
      await store.unclaimJobs([first!]);
      await store.releaseJobs([second!]);
      await settle();
      expect(seen).toEqual(["mail", "mail"]);
      // A final failure by lease rescue: its hook's job is announced (finishPg).
      const late = await lib.enqueue(
        "demo.noop",
        {},
        { queue: "late", hook: "demo.echo", maxAttempts: 1 },
      );
      await store.claimJobs(1, ["late"], LEASE);
      await settle();
      seen.length = 0;
      expect(await pgUpkeepStore(conn().pool!).rescueExpiredLeases(Date.now() + 2 * LEASE)).toEqual(
        {
          requeued: [],
          failed: [late],
        },
      );
      await settle();
      expect(seen).toEqual(["late"]);
    } finally {
      await listener.close();
      await store.close();
    }
  });

  it("goes by the database's clock, not the host's: a shifted host neither sees nor claims early", async () => {
    const lib = pgLibraryStore(conn().pool!);
    await lib.enqueue("demo.noop", {}, { delay: 60 });
    const store = pgWorkerStore(conn().pool!, "w1", { listen: false });
    const upkeep = pgUpkeepStore(conn().pool!);
    try {
      // The runner passes its host's clock; ten minutes fast changes nothing.
      expect(await store.hasDueJobs(Date.now() + 10 * 60_000, null)).toBe(false);
      expect(await store.claimJobs(5, null, LEASE)).toEqual([]);
      const live = await lib.enqueue("demo.noop", {}, {});
      expect((await store.claimJobs(5, null, LEASE)).map((j) => j.id)).toEqual([live]);
      // Rescue by the database's clock: a live lease stays.
      expect(await upkeep.rescueExpiredLeases()).toEqual({ requeued: [], failed: [] });
    } finally {
      await store.close();
    }
  });

  it("an idle token stays put until a notification, and polls without LISTEN", async () => {
    const store = pgWorkerStore(conn().url, "w1", { listen: false });
    try {
      const a = await store.changeToken();
      await new Promise((r) => setTimeout(r, 250));
      expect(await store.changeToken()).not.toBe(a);
    } finally {
      await store.close();
    }
  });
});
