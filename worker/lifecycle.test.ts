/**
 * Every way a job ends, with real worker processes: whichever process ends a job (the worker that
 * ran it, another worker's lease rescue, the dashboard's process cancelling it), its results row
 * keeps its settings and its hook runs exactly once.
 */
import { afterEach, describe, expect, it } from "vitest";
import { cancelQueuedJob, requestCancel } from "@/db/lifecycle";
import { enqueueJob } from "@/db/queries/enqueue";
import { cleanupAfterEach, startWorker, waitFor } from "./testing/harness";

const { track, testDb } = cleanupAfterEach(afterEach);

const FAST_LEASE = ["--no-scheduler", "--lease", "1", "--heartbeat", "0.3"];

describe("a job's hook", () => {
  it("runs exactly once for every ending, whichever process ends the job", async () => {
    const t = testDb();
    const hook = { hook: "demo.echo", queue: "q", maxAttempts: 1 };
    const sql = (text: string) => t.db.$client.prepare(text);

    // Lost: its worker is killed mid-run; another worker's rescue ends it (attempts used up).
    const lost = enqueueJob(t.db, "demo.sleep", { ms: 60_000 }, hook);
    const doomed = track(startWorker(t.url, [...FAST_LEASE, "--queues", "q"]));
    await waitFor(() => sql(`SELECT 1 FROM jobs WHERE state = 'running'`).get() !== undefined);
    doomed.proc.kill("SIGKILL");
    await doomed.exited;

    const ids = {
      success: enqueueJob(t.db, "demo.echo", { n: 1 }, hook),
      failure: enqueueJob(t.db, "demo.fail", {}, hook),
      timeout: enqueueJob(t.db, "demo.sleep", { ms: 60_000 }, { ...hook, timeout: 0.3 }),
      cancelledRunning: enqueueJob(t.db, "demo.sleep", { ms: 60_000 }, { ...hook, maxAttempts: 3 }),
      cancelledQueued: enqueueJob(t.db, "demo.echo", {}, { ...hook, delay: 3600 }),
      lost,
    };
    // Cancelled while queued: by this process, as the dashboard does.
    expect(cancelQueuedJob(t.db, ids.cancelledQueued, "alice")).toBe("cancelled");

    const w = track(startWorker(t.url, [...FAST_LEASE, "--concurrency", "4"]));
    await w.started;
    await waitFor(
      () =>
        sql(`SELECT state FROM jobs WHERE id = ?`).pluck().get(ids.cancelledRunning) === "running",
    );
    expect(requestCancel(t.db, ids.cancelledRunning)).toBe("requested");

    const all = Object.values(ids);
    const hookRuns = () =>
      sql(
        `SELECT args ->> 'jobId' AS jobId, args ->> 'state' AS state, count(*) AS runs
         FROM results WHERE task = 'demo.echo' AND args ->> 'jobId' IS NOT NULL
         GROUP BY 1 ORDER BY 1`,
      ).all() as { jobId: number; state: string; runs: number }[];
    await waitFor(() => hookRuns().length === all.length, 30_000, 100, "every hook to run");
    // Nothing more comes: no ending fires a hook twice.
    await new Promise((r) => setTimeout(r, 1500));
    w.proc.kill("SIGTERM");
    await w.exited;

    const ended = sql(`SELECT id, state, max_attempts, hook, queue FROM results WHERE id = ?`);
    const outcomes = sql(`SELECT outcome FROM attempts WHERE job_id = ? ORDER BY attempt`).pluck();
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
      expect([ending, ended.get(id)]).toEqual([
        ending,
        {
          id,
          state,
          max_attempts: ending === "cancelledRunning" ? 3 : 1,
          hook: "demo.echo",
          queue: "q",
        },
      ]);
      expect([ending, outcomes.all(id)]).toEqual([ending, attempts]);
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
