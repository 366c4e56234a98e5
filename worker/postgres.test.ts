/**
 * The worker process on PostgreSQL (issue 17): DATABASE_URL=postgres://… selects the PostgreSQL
 * store for the library, the worker and the CLI alike. A real worker process, real jobs through
 * the library API from this process, and the worker stopped by a signal.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { connect, type JobInfo } from "@/db";
import { closeAllStores, openStore } from "@/db/store";
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
});
