/**
 * The worker process on PostgreSQL (issue 17): DATABASE_URL=postgres://… selects the PostgreSQL
 * store for the library, the worker and the CLI alike. A real worker process, real jobs through
 * the library API from this process, and the worker stopped by a signal.
 */
import path from "node:path";
import { pathToFileURL } from "node:url";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { connect, type JobInfo } from "@/db";
import { closeAllStores, openStore } from "@/db/store";
import { databaseNow } from "@/db/testing/pg-clock";
import { createTestDatabase, skipPgTests, type TestDatabase } from "@/db/testing/pg-cluster";
import { runJobdeck, startWorker, waitFor, type WorkerProcess } from "./testing/harness";

describe.skipIf(skipPgTests)("the worker on PostgreSQL", () => {
  let database: TestDatabase;
  let worker: WorkerProcess | null = null;
  beforeAll(async () => {
    database = await createTestDatabase({ migrated: false });
  });
  afterAll(async () => {
    if (worker && worker.proc.exitCode === null) worker.proc.kill("SIGKILL");
    await closeAllStores(); // the library's pool, before its database goes
    await database?.drop();
  });

  it("migrates, runs every job once, retries, fires hooks and stops on SIGTERM", async () => {
    // The CLI migrates an empty database through the same store.
    const migrated = runJobdeck(database.url, "migrate");
    expect(migrated.code, migrated.stderr).toBe(0);
    expect(migrated.stdout).toMatch(/migrations? applied/);
    expect(migrated.stdout).not.toContain("@"); // no credentials or socket paths leak into logs

    worker = startWorker(database.url, ["--concurrency", "4", "--no-scheduler"]);
    await worker.started;

    const queue = connect(database.url);
    const ok = await queue.enqueueMany(
      Array.from({ length: 300 }, (_, i) => ({ task: "demo.echo", args: { i } })),
    );
    const failing = await queue.enqueue("demo.fail", {}, { maxAttempts: 2, hook: "demo.echo" });

    const ended = (job: JobInfo | null) => job?.status === "success" || job?.status === "failure";
    await waitFor(
      async () => ended(await queue.getJob(failing)) && ended(await queue.getJob(ok.at(-1)!)),
      30_000,
      100,
      "the jobs to end",
    );
    const jobs = await Promise.all(ok.map((id) => queue.getJob(id)));
    expect(jobs.every((j) => j?.status === "success" && j.attempts === 1)).toBe(true);
    expect(jobs[7]!.result).toEqual({ i: 7 });

    const failed = await queue.getJob(failing);
    expect(failed).toMatchObject({ status: "failure", attempts: 2 });

    // The failure's hook ran once, as a job of its own.
    const store = await openStore({ url: database.url, migrate: false });
    try {
      await waitFor(
        async () => (await store.reads.getQueueStats()).success === 301,
        15_000,
        100,
        "the hook to run",
      );
      const stats = await store.reads.getQueueStats();
      expect(stats).toMatchObject({ success: 301, failure: 1, queued: 0, running: 0 });
    } finally {
      await store.close();
    }

    worker.proc.kill("SIGTERM");
    expect((await worker.exited).code).toBe(0);
    expect(worker.output()).toContain("worker:stopped");
  });
  it("records times on the database's clock when the worker's host clock is ten minutes fast", async () => {
    worker = startWorker(database.url, ["--concurrency", "2", "--no-scheduler"], {
      // Every thread of the worker process reads a clock ten minutes ahead.
      NODE_OPTIONS: `--import ${pathToFileURL(path.resolve("worker/testing/clock-ahead.mjs")).href}`,
    });
    await worker.started;
    const queue = connect(database.url);
    const before = await databaseNow(database.url);
    const ok = await queue.enqueue("demo.echo", { n: 1 });
    const failing = await queue.enqueue("demo.fail", {}, { maxAttempts: 2 });
    await waitFor(
      async () => (await queue.getJob(ok))?.status === "success",
      30_000,
      100,
      "the job to run",
    );
    const after = await databaseNow(database.url);
    const job = (await queue.getJob(ok))!;
    // On the database's clock: between the enqueue and now, not ten minutes ahead.
    expect(job.startedAt).toBeGreaterThanOrEqual(before - 1000);
    expect(job.stoppedAt).toBeLessThanOrEqual(after + 1000);
    // The failed first run's retry is due about a backoff from now, not ten minutes later.
    await waitFor(
      async () => (await queue.getJob(failing))?.status === "failure",
      30_000,
      100,
      "the retry to run",
    );
    const failed = (await queue.getJob(failing))!;
    expect(failed.attempts).toBe(2);
    expect(failed.stoppedAt!).toBeLessThanOrEqual((await databaseNow(database.url)) + 1000);
    worker.proc.kill("SIGTERM");
    expect((await worker.exited).code).toBe(0);
  });
});
