/**
 * Every way a job ends, with real worker processes: whichever process ends a job (the worker that
 * ran it, another worker's lease rescue, the dashboard's process cancelling it), its results row
 * keeps its settings and its hook runs exactly once.
 */
import { afterEach, describe, expect, it } from "vitest";
import type { EnqueueOptions } from "@/db/queries/enqueue";
import { cleanupAfterEach, startWorker, waitFor } from "./testing/harness";

const { track, testDb } = cleanupAfterEach(afterEach);

const FAST_LEASE = ["--no-scheduler", "--lease", "1", "--heartbeat", "0.3"];

describe("a job's hook", () => {
  it("runs exactly once for every ending, whichever process ends the job", async () => {
    const t = testDb();
    const hook = { hook: "demo.echo", queue: "q", maxAttempts: 1 };
    const enqueue = (task: string, args: unknown, options: EnqueueOptions) =>
      t.store.library.enqueue(task, args, options);

    // Lost: its worker is killed mid-run; another worker's rescue ends it (attempts used up).
    const lost = await enqueue("demo.sleep", { ms: 60_000 }, hook);
    const doomed = track(startWorker(t.url, [...FAST_LEASE, "--queues", "q"]));
    await waitFor(() => (t.rows.countByState().running ?? 0) > 0);
    doomed.proc.kill("SIGKILL");
    await doomed.exited;

    const ids = {
      success: await enqueue("demo.echo", { n: 1 }, hook),
      failure: await enqueue("demo.fail", {}, hook),
      timeout: await enqueue("demo.sleep", { ms: 60_000 }, { ...hook, timeout: 0.3 }),
      cancelledRunning: await enqueue("demo.sleep", { ms: 60_000 }, { ...hook, maxAttempts: 3 }),
      cancelledQueued: await enqueue("demo.echo", {}, { ...hook, delay: 3600 }),
      lost,
    };
    // Cancelled while queued: by this process, as the dashboard does.
    expect(
      await t.store.admin.cancelJob({ id: ids.cancelledQueued }, { name: "alice", address: null }),
    ).toBe("cancelled");

    const w = track(startWorker(t.url, [...FAST_LEASE, "--concurrency", "4"]));
    await w.started;
    await waitFor(() => t.rows.queuedJob(ids.cancelledRunning)?.state === "running");
    expect(
      await t.store.admin.requestCancel(
        { id: ids.cancelledRunning },
        { name: "alice", address: null },
      ),
    ).toBe("requested");

    const all = Object.values(ids);
    const hookRuns = () => t.rows.hookRuns("demo.echo");
    await waitFor(() => hookRuns().length === all.length, 30_000, 100, "every hook to run");
    // Nothing more comes: no ending fires a hook twice.
    await new Promise((r) => setTimeout(r, 1500));
    w.proc.kill("SIGTERM");
    await w.exited;

    const ended = (id: number) => {
      const row = t.rows.result(id);
      return (
        row && {
          id,
          state: row.state,
          max_attempts: row.max_attempts,
          hook: row.hook,
          queue: row.queue,
        }
      );
    };
    const outcomes = (id: number) => t.rows.attempts(id).map((a) => a.outcome);
    const expected = {
      success: { state: "success", attempts: ["success"] },
      failure: { state: "failure", attempts: ["error"] },
      timeout: { state: "failure", attempts: ["timeout"] },
      cancelledRunning: { state: "failure", attempts: ["cancelled"] },
      cancelledQueued: { state: "failure", attempts: [] },
      lost: { state: "failure", attempts: ["lost"] },
    } satisfies Record<keyof typeof ids, { state: string; attempts: string[] }>;
    for (const [ending, id] of Object.entries(ids) as [keyof typeof ids, number][]) {
      const { state, attempts } = expected[ending];
      expect([ending, ended(id)]).toEqual([
        ending,
        {
          id,
          state,
          max_attempts: ending === "cancelledRunning" ? 3 : 1,
          hook: "demo.echo",
          queue: "q",
        },
      ]);
      expect([ending, outcomes(id)]).toEqual([ending, attempts]);
    }
    expect(hookRuns()).toEqual(
      all
        .sort((a, b) => a - b)
        .map((id) => ({
          jobId: id,
          state: id === ids.success ? "success" : "failure",
          runs: 1,
        })),
    );
  }, 60_000);
});
