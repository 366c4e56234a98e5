/** How one worker process behaves: timeouts, retries, shutdown, contention, its command line. */
import { spawn, spawnSync } from "node:child_process";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { startWorker, cleanupAfterEach, inotifyWatches, waitFor } from "./testing/harness";

const { track, testDb } = cleanupAfterEach(afterEach);
function threadCount(pid: number): number {
  return fs.readdirSync(`/proc/${pid}/task`).length;
}
describe("a worker", () => {
  it("kills a task that blocks its thread at the timeout and keeps serving other jobs", async () => {
    const t = testDb();
    const w = track(startWorker(t.url, ["--concurrency", "2", "--no-scheduler"]));
    await w.started;
    // Threads start on demand: two jobs that keep both busy bring the pool to full size.
    await t.store.library.enqueueMany([
      { task: "demo.sleep", args: { ms: 300 } },
      { task: "demo.sleep", args: { ms: 300 } },
    ]);
    await waitFor(() => t.rows.countByState().success === 2, 10_000, 50, "the warm-up jobs");
    await new Promise((r) => setTimeout(r, 300));
    const baseline = threadCount(w.proc.pid!);
    const cpu = await t.store.library.enqueue(
      "demo.cpu",
      { ms: 60_000 },
      { timeout: 2, maxAttempts: 1 },
    );
    await waitFor(() => t.rows.queuedJob(cpu)?.state === "running", 10_000);
    // While demo.cpu blocks one thread, the other slot keeps running jobs.
    const others = await t.store.library.enqueueMany(
      Array.from({ length: 20 }, (_, i) => ({ task: "demo.echo", args: { i } })),
    );
    await waitFor(
      () => t.rows.countByState().success === others.length + 2,
      10_000,
      50,
      "the other jobs",
    );
    expect(t.rows.queuedJob(cpu)).toBeDefined();
    await waitFor(() => t.rows.countByState().failure === 1, 10_000, 50, "the timeout");
    const failed = t.rows.result(cpu) as { error: string; duration_ms: number };
    expect(failed.error).toMatch(/Timed out after 2 s/);
    expect(failed.duration_ms).toBeGreaterThanOrEqual(2000);
    expect(failed.duration_ms).toBeLessThan(3000);
    expect(t.rows.attempts(cpu).map((a) => a.outcome)).toEqual(["timeout"]);
    // The killed thread was replaced, not leaked.
    await waitFor(
      () => threadCount(w.proc.pid!) === baseline,
      5_000,
      100,
      `thread count back to ${baseline}`,
    );
    w.proc.kill("SIGTERM");
    expect((await w.exited).code).toBe(0);
  });

  it("retries a failing task with backoff and keeps every attempt's error", async () => {
    const t = testDb();
    const id = await t.store.library.enqueue(
      "demo.fail",
      { message: "smtp down" },
      { maxAttempts: 3 },
    );
    // (Not --burst: a job waiting out its backoff is not due, and a burst worker stops at that.)
    const w = track(startWorker(t.url, ["--no-scheduler", "--backoff", "0.2"]));
    await waitFor(() => t.rows.countByState().failure === 1, 20_000, 50, "the final failure");
    w.proc.kill("SIGTERM");
    const row = t.rows.result(id)!;
    expect(row).toMatchObject({ state: "failure", attempts: 3, error: "smtp down" });
    expect(String(row.error_stack)).toMatch(/demo-fail/);
    const attempts = t.rows.attempts(id);
    expect(attempts.map((a) => [a.attempt, a.outcome, a.error])).toEqual([
      [1, "error", "smtp down"],
      [2, "error", "smtp down"],
      [3, "error", "smtp down"],
    ]);
    // Exponential backoff: the second gap is longer than the first.
    const gap1 = attempts[1]!.startedAt - attempts[0]!.startedAt;
    const gap2 = attempts[2]!.startedAt - attempts[1]!.startedAt;
    expect(gap1).toBeGreaterThanOrEqual(150);
    expect(gap2).toBeGreaterThan(gap1);
  });

  it("fails a PermanentError and invalid arguments at once, without retries", async () => {
    const t = testDb();
    const bad = await t.store.library.enqueue("demo.sleep", { ms: "soon" }, { maxAttempts: 5 });
    const w = track(startWorker(t.url, ["--no-scheduler", "--burst"]));
    expect((await w.exited).code).toBe(0);
    expect(t.rows.result(bad)).toMatchObject({
      attempts: 1,
      error: expect.stringMatching(/^PermanentError: Invalid arguments for demo.sleep: ms/),
    });
  });

  it("on SIGTERM stops claiming, finishes running jobs and exits 0", async () => {
    const t = testDb();
    const w = track(startWorker(t.url, ["--concurrency", "2", "--no-scheduler"]));
    await w.started;
    const [a, b] = await t.store.library.enqueueMany([
      { task: "demo.sleep", args: { ms: 1500 } },
      { task: "demo.sleep", args: { ms: 1500 } },
    ]);
    await waitFor(() => t.rows.countByState().running === 2, 10_000);
    const later = await t.store.library.enqueue("demo.echo", {});
    w.proc.kill("SIGTERM");
    const exit = await w.exited;
    expect(exit.code).toBe(0);
    expect(t.rows.successIds()).toEqual([a, b]);
    expect(t.rows.queuedJob(later)).toEqual({ state: "queued", attempts: 0 });
    expect(t.rows.countByState().running ?? 0).toBe(0);
    expect(w.output()).toMatch(/worker:stopped/);
  });

  it("releases jobs still running when the grace period ends, and exits at once on a second signal", async () => {
    const t = testDb();
    const w = track(startWorker(t.url, ["--no-scheduler", "--grace", "0.5"]));
    await w.started;
    const id = await t.store.library.enqueue("demo.sleep", { ms: 30_000 });
    await waitFor(() => t.rows.countByState().running === 1, 10_000);
    w.proc.kill("SIGTERM");
    expect((await w.exited).code).toBe(0);
    expect(t.rows.queuedJob(id)).toEqual({ state: "queued", attempts: 1 });
    expect(t.rows.attempts(id).map((a) => a.outcome)).toEqual(["lost"]);

    const w2 = track(startWorker(t.url, ["--no-scheduler", "--grace", "60"]));
    await w2.started;
    await waitFor(() => t.rows.countByState().running === 1, 10_000);
    w2.proc.kill("SIGTERM");
    await new Promise((r) => setTimeout(r, 1500));
    w2.proc.kill("SIGTERM");
    expect((await w2.exited).code).toBe(130);
  });

  it("takes only its own queues, by priority, and a burst ends when they are drained", async () => {
    const t = testDb();
    await t.store.library.enqueueMany(
      Array.from({ length: 30 }, () => ({ task: "demo.noop", options: { queue: "default" } })),
    );
    const low = await t.store.library.enqueue("demo.noop", null, { queue: "mail", priority: 0 });
    const high = await t.store.library.enqueue("demo.noop", null, { queue: "mail", priority: 9 });
    const later = await t.store.library.enqueue("demo.noop", null, { queue: "mail", delay: 60 });
    const w = track(
      startWorker(t.url, ["--no-scheduler", "--burst", "--queues", "mail", "--concurrency", "1"]),
    );
    expect((await w.exited).code).toBe(0);
    // In the order they ran (one thread, one job at a time): each attempt row is written in turn.
    expect(t.rows.attempts().map((a) => a.jobId)).toEqual([high, low]);
    expect(t.rows.countQueued("default")).toBe(30);
    expect(t.rows.queuedJob(later)?.state).toBe("queued");
  });

  it("watches the WAL for new commits only while it has nothing to do", async () => {
    const t = testDb();
    const w = track(startWorker(t.url, ["--concurrency", "1", "--no-scheduler"]));
    await w.started;
    const pid = w.proc.pid!;
    // Idle: a commit by any process wakes it at once.
    await waitFor(() => inotifyWatches(pid) === 1, 5_000, 20, "the idle watch");
    const slow = await t.store.library.enqueue("demo.sleep", { ms: 1_500 });
    // Busy: every other worker's writes would wake it thousands of times a second.
    await waitFor(
      async () => (await t.store.library.readJob(slow))?.status === "running",
      5_000,
      20,
      "the start",
    );
    await waitFor(() => inotifyWatches(pid) === 0, 5_000, 20, "the watch to stop");
    // Idle again once the job is done, and a new job is picked up.
    await waitFor(
      async () => (await t.store.library.readJob(slow))?.status === "success",
      10_000,
      20,
      "the job",
    );
    await waitFor(() => inotifyWatches(pid) === 1, 5_000, 20, "the idle watch again");
    const next = await t.store.library.enqueue("demo.noop");
    await waitFor(
      async () => (await t.store.library.readJob(next))?.status === "success",
      5_000,
      20,
      "the next job",
    );
  });

  it("waits for a taken write lock until the holder rings the bell, and rings after its own writes", async () => {
    const t = testDb();
    const w = track(
      startWorker(t.url, ["--concurrency", "1", "--no-scheduler"], {
        // A fallback longer than the test: only a ring makes a waiting worker try the lock again.
        JOBDECK_LOCK_FALLBACK_MS: "60000",
        // Its chores (lease rescue, heartbeats) give up on the held lock at once instead of
        // blocking its event loop until the test lets go.
        JOBDECK_BUSY_TIMEOUT_MS: "20",
      }),
    );
    await w.started;
    const bell = `${t.url}-bell`;
    let rings = 0;
    const watcher = fs.watch(bell, () => rings++);
    try {
      const first = await t.store.library.enqueue("demo.noop");
      await waitFor(
        async () => (await t.store.library.readJob(first))?.status === "success",
        10_000,
        20,
        "the first job",
      );
      await waitFor(() => rings > 0, 5_000, 20, "the worker's ring after its write");
    } finally {
      watcher.close();
    }

    const id = await t.store.library.enqueue("demo.sleep", { ms: 1_000 });
    await waitFor(
      async () => (await t.store.library.readJob(id))?.status === "running",
      5_000,
      20,
      "the start",
    );
    // Another process holds the write lock (as a long dashboard action would) while the job ends.
    const release = t.rows.holdWriteLock();
    try {
      expect((await t.store.library.readJob(id))?.status).toBe("running");
      await new Promise((r) => setTimeout(r, 1_500));
    } finally {
      release();
    }
    // The lock is free but nothing rang: the worker still waits (polling, it would have written).
    await new Promise((r) => setTimeout(r, 500));
    expect((await t.store.library.readJob(id))?.status).toBe("running");
    fs.writeFileSync(bell, "!");
    await waitFor(
      async () => (await t.store.library.readJob(id))?.status === "success",
      5_000,
      20,
      "the write at the ring",
    );
  });

  it("runs started from another working directory, as a service manager may start it", async () => {
    const t = testDb();
    const id = await t.store.library.enqueue("demo.echo", { from: "elsewhere" });
    const elsewhere = fs.mkdtempSync(path.join(os.tmpdir(), "jobdeck-cwd-"));
    try {
      const w = track(startWorker(t.url, ["--no-scheduler", "--burst"], {}, elsewhere));
      expect((await w.exited).code).toBe(0);
      expect(await t.store.library.readJob(id)).toMatchObject({
        status: "success",
        result: { from: "elsewhere" },
      });
      // It found its migrations and bundles in the project, and left nothing where it ran.
      expect(fs.readdirSync(elsewhere)).toEqual([]);
    } finally {
      fs.rmSync(elsewhere, { recursive: true, force: true });
    }
  });

  it("stops a running job asked to cancel, records it as cancelled and does not retry it", async () => {
    const t = testDb();
    const w = track(startWorker(t.url, ["--no-scheduler"]));
    await w.started;
    const id = await t.store.library.enqueue("demo.sleep", { ms: 30_000 }, { maxAttempts: 5 });
    await waitFor(() => t.rows.countByState().running === 1, 10_000);
    const asked = Date.now();
    expect(await t.store.admin.requestCancel({ id }, { name: "test", address: null })).toBe(
      "requested",
    );
    await waitFor(() => t.rows.countByState().failure === 1, 5_000, 50, "the cancel");
    expect(Date.now() - asked).toBeLessThan(3000);
    expect(await t.store.library.readJob(id)).toMatchObject({
      status: "failure",
      attempts: 1,
      error: expect.stringMatching(/^Cancelled on request/),
    });
    expect(t.rows.attempts(id).map((a) => a.outcome)).toEqual(["cancelled"]);
    w.proc.kill("SIGTERM");
    await w.exited;
  });

  it("enqueues a job's hook task with its outcome when it ends", async () => {
    const t = testDb();
    const id = await t.store.library.enqueue("demo.echo", { hello: "hook" }, { hook: "demo.echo" });
    const w = track(startWorker(t.url, ["--no-scheduler", "--burst"]));
    expect((await w.exited).code).toBe(0);
    expect(t.rows.otherResultArgs(id)).toEqual({
      jobId: id,
      task: "demo.echo",
      state: "success",
      result: { hello: "hook" },
    });
  });

  it("masks credentials in the errors it logs", async () => {
    const t = testDb();
    await t.store.library.enqueue(
      "demo.fail",
      { message: "connect postgres://svc:pw-LOG-1@db:5432/x refused" },
      { maxAttempts: 1 },
    );
    const w = track(startWorker(t.url, ["--no-scheduler", "--burst"]));
    expect((await w.exited).code).toBe(0);
    expect(w.output()).toMatch(/job:failed .*postgres:\/\/svc:/);
    expect(w.output()).not.toContain("pw-LOG-1");
  });

  it("sees no 'database is locked' with three workers and a steady enqueuer writing for 30 s", async () => {
    const t = testDb();
    const args = ["--concurrency", "4", "--no-scheduler", "--lease", "3", "--heartbeat", "0.5"];
    const workers = [0, 1, 2].map(() => track(startWorker(t.url, args)));
    await Promise.all(workers.map((w) => w.started));
    const script = `
      import { connect } from "@/db";
      const q = connect(process.env.DATABASE_URL);
      const end = Date.now() + 30_000;
      let n = 0;
      const tick = setInterval(async () => {
        if (Date.now() > end) { clearInterval(tick); console.log("enqueued " + n); return; }
        for (let i = 0; i < 20; i++) { await q.enqueue(i % 10 === 0 ? "demo.sleep" : "demo.echo", i % 10 === 0 ? { ms: 50 } : { i }); n++; }
      }, 100);`;
    const file = `${t.dir}/enqueuer.ts`;
    fs.writeFileSync(file, script);
    fs.copyFileSync(file, "worker/testing/.enqueuer.tmp.ts");
    const enqueuer = spawn(
      process.execPath,
      ["--import", "tsx", "worker/testing/.enqueuer.tmp.ts"],
      {
        env: { ...process.env, DATABASE_URL: t.url },
        stdio: ["ignore", "pipe", "pipe"],
      },
    );
    let enqOut = "";
    enqueuer.stdout.on("data", (c: Buffer) => (enqOut += c.toString()));
    enqueuer.stderr.on("data", (c: Buffer) => (enqOut += c.toString()));
    const enqExit = await new Promise<number | null>((r) => enqueuer.on("exit", r)).finally(() =>
      fs.rmSync("worker/testing/.enqueuer.tmp.ts", { force: true }),
    );
    expect(enqExit).toBe(0);
    const enqueued = Number(/enqueued (\d+)/.exec(enqOut)?.[1]);
    expect(enqueued).toBeGreaterThan(5000);
    await waitFor(
      () => (t.rows.countByState().success ?? 0) === enqueued,
      30_000,
      200,
      "all enqueued jobs to succeed",
    );
    for (const w of workers) w.proc.kill("SIGTERM");
    await Promise.all(workers.map((w) => w.exited));
    const all = enqOut + workers.map((w) => w.output()).join("\n");
    expect(all).not.toMatch(/database is locked|SQLITE_BUSY/i);
    expect(workers.map((w) => w.output()).join("\n")).not.toMatch(/ error /);
  });

  it("refuses bad settings with a message that says what to fix", () => {
    const run = (...args: string[]) =>
      spawnSync(process.execPath, ["worker/run.mjs", ...args], {
        encoding: "utf8",
        env: { ...process.env, DATABASE_URL: "/nonexistent-dir-never/x.db" },
      });
    const lease = run("--lease", "3", "--heartbeat", "2");
    expect(lease.status).toBe(2);
    expect(lease.stderr).toMatch(/--heartbeat \(2 s\) must be at most a third of --lease \(3 s\)/);
    expect(run("--concurrency", "0").stderr).toMatch(
      /--concurrency must be a whole number from 1 to 256/,
    );
    expect(run("--timeout", "soon").stderr).toMatch(
      /--timeout must be a plain decimal number of seconds/,
    );
    expect(run("--bogus").stderr).toMatch(/Unknown option '--bogus'/);
    const help = run("--help");
    expect(help.status).toBe(0);
    expect(help.stdout).toMatch(/--concurrency N/);
  });
});
