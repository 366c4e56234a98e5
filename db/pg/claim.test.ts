import { execFile } from "node:child_process";
import { promisify } from "node:util";
import pg from "pg";
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { createTestDatabase, skipPgTests, type TestDatabase } from "../testing/pg-cluster";
import { claimJobsPg, recordOutcomesPg, renewLeasesPg } from "./claim";
import { dbNow, openPgPool } from "./client";

const run = promisify(execFile);

describe.skipIf(skipPgTests)("claiming on PostgreSQL", () => {
  let db: TestDatabase;
  let pool: pg.Pool;
  beforeAll(async () => {
    db = await createTestDatabase();
    pool = openPgPool(db.url, { max: 4 });
    await pool.query(`INSERT INTO workers (id, host, pid, concurrency, queues, started_at, last_heartbeat_at)
      VALUES ('w1', 'h', 1, 1, '*', 0, 0)`);
  });
  afterAll(async () => {
    await pool?.end();
    await db?.drop();
  });
  beforeEach(async () => {
    await pool.query(`DELETE FROM jobs`);
  });

  /** Enqueues jobs (task, queue, priority, run in `delayMs` on the database clock); returns their ids. */
  async function enqueue(
    specs: { queue?: string; priority?: number; delayMs?: number; hook?: string }[],
  ) {
    const now = await dbNow(pool);
    const ids: number[] = [];
    for (const s of specs) {
      const { rows } = await pool.query<{ id: number }>(
        `INSERT INTO jobs (task, args, queue, priority, run_at, created_at, max_attempts, hook)
         VALUES ('demo.noop', '{"a":1}', $1, $2, $3, $4, 3, $5) RETURNING id`,
        [s.queue ?? "default", s.priority ?? 0, now + (s.delayMs ?? 0), now, s.hook ?? null],
      );
      ids.push(rows[0]!.id);
    }
    return ids;
  }

  it("claims due jobs by priority, then run time, then id, and leaves delayed ones", async () => {
    const [low, high, delayed, low2] = await enqueue([
      { priority: 0 },
      { priority: 5 },
      { priority: 9, delayMs: 60_000 },
      { priority: 0 },
    ]);
    const jobs = await claimJobsPg(pool, "w1", 10, null, 30_000);
    expect(jobs.map((j) => j.id)).toEqual([high, low, low2]);
    expect(jobs.map((j) => j.id)).not.toContain(delayed);
    const job = jobs[0]!;
    expect(job).toMatchObject({ task: "demo.noop", args: '{"a":1}', attempts: 1, maxAttempts: 3 });
    expect(typeof job.claimToken).toBe("string");
    const { rows } = await pool.query<{ lease: number; locked: number }>(
      `SELECT lease_expires_at AS lease, locked_at AS locked FROM jobs WHERE id = $1`,
      [job.id],
    );
    expect(rows[0]!.lease - rows[0]!.locked).toBe(30_000);
    expect(job.startedAt).toBe(rows[0]!.locked);
  });

  it("goes by the database's clock, not the process's: a clock an hour ahead claims nothing early", async () => {
    const [delayed] = await enqueue([{ delayMs: 60_000 }]);
    const realNow = Date.now;
    Date.now = () => realNow() + 3_600_000;
    try {
      expect(await claimJobsPg(pool, "w1", 10, null, 30_000)).toEqual([]);
    } finally {
      Date.now = realNow;
    }
    await pool.query(`UPDATE jobs SET run_at = run_at - 60000 WHERE id = $1`, [delayed]);
    Date.now = () => realNow() - 3_600_000;
    try {
      const [job] = await claimJobsPg(pool, "w1", 10, null, 30_000);
      // Lease and start come from the database too: an hour-behind clock does not shorten them.
      expect(job!.startedAt).toBeGreaterThan(realNow() - 60_000);
    } finally {
      Date.now = realNow;
    }
  });

  it("claims from several queues in claim order, up to the limit", async () => {
    const [a1, , c1, b1] = await enqueue([
      { queue: "a" },
      { queue: "a" },
      { queue: "c", priority: 3 },
      { queue: "b", priority: 1 },
      { queue: "z", priority: 9 },
    ]);
    const jobs = await claimJobsPg(pool, "w1", 3, ["a", "b", "c"], 30_000);
    expect(jobs.map((j) => j.id)).toEqual([c1, b1, a1]);
  });

  it("records successes, final failures and retries, and refuses a lost lease", async () => {
    const [ok, bad, again, stolen] = await enqueue([{ hook: "demo.echo" }, {}, {}, {}]);
    const jobs = await claimJobsPg(pool, "w1", 10, null, 30_000);
    const byId = new Map(jobs.map((j) => [j.id, j]));
    await pool.query(`UPDATE jobs SET claim_token = 'someone else' WHERE id = $1`, [stolen]);
    const now = await dbNow(pool);
    const lost = await recordOutcomesPg(pool, "w1", [
      { kind: "success", job: byId.get(ok!)!, stoppedAt: now, result: '{"x":1}' },
      {
        kind: "error",
        job: byId.get(bad!)!,
        stoppedAt: now,
        error: "boom 42\nat x",
        stack: "s",
        attemptOutcome: "error",
        retryAt: null,
      },
      {
        kind: "error",
        job: byId.get(again!)!,
        stoppedAt: now,
        error: "later",
        stack: null,
        attemptOutcome: "timeout",
        retryAt: now + 5000,
      },
      { kind: "success", job: byId.get(stolen!)!, stoppedAt: now, result: "null" },
    ]);
    expect(lost).toEqual([stolen]);
    const results = await pool.query(
      `SELECT id, state, result, error, error_group FROM results ORDER BY id`,
    );
    expect(results.rows).toEqual([
      { id: ok, state: "success", result: '{"x":1}', error: null, error_group: "" },
      {
        id: bad,
        state: "failure",
        result: null,
        error: "boom 42\nat x",
        error_group: expect.any(String),
      },
    ]);
    const retried = await pool.query(
      `SELECT state, run_at, last_error, claim_token FROM jobs WHERE id = $1`,
      [again],
    );
    expect(retried.rows[0]).toEqual({
      state: "queued",
      run_at: now + 5000,
      last_error: "later",
      claim_token: null,
    });
    const tries = await pool.query(`SELECT job_id, outcome FROM attempts ORDER BY job_id`);
    expect(tries.rows).toEqual([
      { job_id: ok, outcome: "success" },
      { job_id: bad, outcome: "error" },
      { job_id: again, outcome: "timeout" },
    ]);
    const hook = await pool.query<{ task: string; args: string }>(
      `SELECT task, args FROM jobs WHERE task = 'demo.echo'`,
    );
    expect(JSON.parse(hook.rows[0]!.args)).toEqual({
      jobId: ok,
      task: "demo.noop",
      state: "success",
      result: { x: 1 },
    });
    const done = await pool.query(`SELECT jobs_done FROM workers WHERE id = 'w1'`);
    expect(done.rows[0]).toEqual({ jobs_done: 2 });
    const leases = await renewLeasesPg(pool, "w1", 60_000);
    expect([...leases.held.keys()]).toEqual([stolen]);
  });

  it("two processes claiming at once never claim one job twice", async () => {
    await pool.query(`DELETE FROM results; DELETE FROM attempts`);
    const now = await dbNow(pool);
    await pool.query(
      `INSERT INTO jobs (task, args, queue, priority, run_at, created_at)
       SELECT 'demo.noop', 'null', 'default', i % 3, $1, $1 FROM generate_series(1, 3000) AS i`,
      [now],
    );
    const child = (id: string) =>
      run(process.execPath, ["--import", "tsx", "db/testing/pg-claim-child.ts", db.url, id, "25"], {
        maxBuffer: 16 * 1024 * 1024,
      }).then((r) => JSON.parse(r.stdout) as number[]);
    const [a, b] = await Promise.all([child("p1"), child("p2")]);
    const all = [...a, ...b];
    expect(a.length).toBeGreaterThan(0);
    expect(b.length).toBeGreaterThan(0);
    expect(new Set(all).size).toBe(all.length);
    expect(all.length).toBe(3000);
    const { rows } = await pool.query<{
      results: number;
      attempts: number;
      left: number;
      maxn: number;
    }>(
      `SELECT (SELECT count(*) FROM results) AS results, (SELECT count(*) FROM attempts) AS attempts,
         (SELECT count(*) FROM jobs) AS left, (SELECT max(attempts) FROM results) AS maxn`,
    );
    expect(rows[0]).toEqual({ results: 3000, attempts: 3000, left: 0, maxn: 1 });
  });
});
