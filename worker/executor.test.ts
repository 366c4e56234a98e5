/**
 * The executor pool with real threads running the real task bundle: batches, outcomes through the
 * shared slots (and as messages when too big), hand-back of jobs behind a slow one, hard timeouts,
 * aborts, and threads started on demand.
 */
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { afterEach, beforeAll, describe, expect, it } from "vitest";
import { buildExecutorBundle, type ExecutorBundle } from "./executor-bundle";
import { createExecutorPool, type ExecutorPool, type Finished, type PoolJob } from "./executor";
import { SLOT_PAYLOAD_BYTES } from "./executor-protocol";
import { waitFor } from "./testing/harness";

let bundle: ExecutorBundle;
let pool: ExecutorPool | null = null;
const finished: Finished[] = [];
const reclaimed: PoolJob[] = [];

beforeAll(async () => {
  process.env.JOBDECK_TEST_TASKS = "1"; // the threads register test.trace
  bundle = await buildExecutorBundle();
}, 60_000);

afterEach(async () => {
  await pool?.close();
  pool = null;
  finished.length = 0;
  reclaimed.length = 0;
});

async function startPool(size: number, idleThreadMs?: number): Promise<ExecutorPool> {
  const p = createExecutorPool({
    size,
    idleThreadMs,
    bundlePath: bundle.path,
    remapStack: bundle.remapStack,
    onProgress: () => undefined,
    // Like the runner: the pool's call only schedules a look.
    onActivity: () => setImmediate(() => settle(p)),
  });
  pool = p;
  await p.ready();
  return p;
}

let nextId = 1;
function job(task: string, args: unknown = null, timeoutMs = 10_000): PoolJob {
  return { id: nextId++, task, args: JSON.stringify(args), attempt: 1, timeoutMs };
}

function settle(p: ExecutorPool) {
  const d = p.drain();
  finished.push(...d.finished);
  reclaimed.push(...d.reclaimed);
}

describe("the executor pool", () => {
  it("fails to start, with a reason, when its first thread dies while loading", async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), "jobdeck-bad-bundle-"));
    try {
      for (const [name, body] of [
        ["exits.cjs", "process.exit(3);"],
        ["throws.cjs", 'throw new Error("Task \\"x\\" is registered twice");'],
      ] as const) {
        const file = path.join(dir, name);
        fs.writeFileSync(file, body);
        const p = createExecutorPool({
          size: 1,
          bundlePath: file,
          onProgress: () => undefined,
          onActivity: () => undefined,
        });
        pool = p;
        await expect(p.ready()).rejects.toThrowError(
          name === "exits.cjs" ? /exited \(code 3\) before it was ready/ : /registered twice/,
        );
        await p.close();
        pool = null;
      }
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });

  it("gets the task catalog from its first thread; the worker's main bundle holds no task", async () => {
    const p = createExecutorPool({
      size: 1,
      bundlePath: bundle.path,
      onProgress: () => undefined,
      onActivity: () => undefined,
    });
    pool = p;
    const catalog = await p.ready();
    expect(catalog).toContainEqual({
      name: "demo.echo",
      description: expect.any(String) as string,
      exampleArgs: expect.any(String) as string,
      argsSchema: null,
      isBuiltin: true,
    });
    // A task's zod schema travels as JSON Schema, for the enqueue side to check arguments with.
    expect(JSON.parse(catalog.find((t) => t.name === "demo.sleep")!.argsSchema!)).toMatchObject({
      properties: { ms: { type: "integer" } },
    });
    expect(catalog.find((t) => t.name === "test.trace")?.isBuiltin).toBe(false);
    // Task modules (and what they import) load only in executor threads, never at worker start.
    const { workerBundles } = await import("./bundle.mjs");
    const main = fs.readFileSync((await workerBundles(process.cwd())).worker.code, "utf8");
    expect(main).toContain("// worker/runner.ts");
    expect(main).not.toMatch(/^\/\/ worker\/tasks\//m);
  });

  it("runs a batch in order and returns every outcome, in its slot or as a message", async () => {
    const p = await startPool(2);
    const big = { text: "é".repeat(SLOT_PAYLOAD_BYTES) }; // larger than a slot in UTF-8
    const jobs = [
      job("demo.echo", { a: 1 }),
      job("demo.echo", big),
      job("demo.fail", { message: "smtp down" }),
      job("demo.noop"),
    ];
    expect(p.dispatch(jobs)).toBe(true);
    await waitFor(
      () => {
        settle(p);
        return finished.length === 4;
      },
      10_000,
      10,
      "four outcomes",
    );
    expect(finished.map((f) => f.job.id)).toEqual(jobs.map((j) => j.id));
    expect(finished[0]!.execution).toEqual({ ok: true, result: '{"a":1}' });
    expect(finished[1]!.execution).toEqual({ ok: true, result: JSON.stringify(big) });
    const failure = finished[2]!.execution;
    expect(failure.ok).toBe(false);
    if (!failure.ok) {
      expect(failure.kind).toBe("error");
      expect(failure.error.message).toBe("smtp down");
      expect(failure.error.stack).toMatch(/worker\/tasks\/demo-fail\.ts:\d+:\d+/);
    }
    for (const f of finished) expect(f.stoppedAt).toBeGreaterThanOrEqual(f.startedAt);
    expect(p.idleCount()).toBe(1);
  });

  it("hands back the jobs waiting behind a slow one, and kills the slow one at its timeout", async () => {
    const p = await startPool(1);
    const slow = job("demo.cpu", { ms: 60_000 }, 400);
    const behind = [job("demo.noop"), job("demo.noop")];
    p.dispatch([slow, ...behind]);
    await waitFor(() => reclaimed.length === 2, 2_000, 10, "the hand-back");
    expect(reclaimed.map((j) => j.id)).toEqual(behind.map((j) => j.id));
    expect(finished).toEqual([]);
    await waitFor(() => finished.length === 1, 3_000, 10, "the timeout");
    const f = finished[0]!;
    expect(f.job.id).toBe(slow.id);
    expect(f.execution).toMatchObject({ ok: false, kind: "timeout" });
    expect(f.stoppedAt - f.startedAt).toBeGreaterThanOrEqual(400);
    // A fresh thread took the killed one's place and runs the handed-back jobs.
    await waitFor(() => p.idleCount() === 1, 5_000, 10, "the new thread");
    p.dispatch(reclaimed.splice(0));
    await waitFor(() => finished.length === 3, 5_000, 10, "the handed-back jobs");
    expect(finished.slice(1).every((x) => x.execution.ok)).toBe(true);
  });

  it("hands back an unstarted job asked to stop, and aborts a running one", async () => {
    const p = await startPool(1);
    const running = job("demo.sleep", { ms: 5_000 });
    const waiting = job("demo.noop");
    p.dispatch([running, waiting]);
    await waitFor(() => p.runningIds().includes(running.id), 2_000, 10, "the start");
    expect(p.abort(waiting.id, "Cancelled on request", 5_000)).toBe("unstarted");
    settle(p);
    expect(reclaimed.map((j) => j.id)).toEqual([waiting.id]);
    expect(p.abort(running.id, "Cancelled on request", 5_000)).toBe("running");
    await waitFor(() => finished.length === 1, 2_000, 10, "the abort");
    expect(finished[0]!.execution).toMatchObject({ ok: false, kind: "cancelled" });
    expect(p.abort(12345, "nothing", 5_000)).toBe(false);
  });

  it("gives a task that looks at its signal only after an abort an aborted signal", async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), "jobdeck-executor-"));
    try {
      const p = await startPool(1);
      const late = job("test.trace", { dir, ms: 300, lateSignal: true });
      p.dispatch([late]);
      await waitFor(() => p.runningIds().includes(late.id), 2_000, 10, "the start");
      expect(p.abort(late.id, "Cancelled on request", 5_000)).toBe("running");
      await waitFor(() => finished.length === 1, 2_000, 10, "the abort");
      expect(finished[0]!.execution).toMatchObject({ ok: false, kind: "cancelled" });
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });

  it("starts one thread at first and the others when asked", async () => {
    const p = await startPool(3);
    expect(p.threadCount()).toBe(1);
    p.grow();
    expect(p.threadCount()).toBe(3);
    await waitFor(() => p.idleCount() === 3, 10_000, 20, "three ready threads");
    for (let i = 0; i < 3; i++) expect(p.dispatch([job("demo.sleep", { ms: 300 })])).toBe(true);
    expect(p.dispatch([job("demo.noop")])).toBe(false);
    expect(p.assignedCount()).toBe(3);
    await waitFor(() => finished.length === 3, 5_000, 10, "the three sleeps");
  });

  it("hands back every unstarted job asked to stop, once, however many are asked", async () => {
    const p = await startPool(1);
    const running = job("demo.sleep", { ms: 300 });
    const rest = [job("demo.noop"), job("demo.noop"), job("demo.noop")];
    p.dispatch([running, ...rest]);
    await waitFor(() => p.runningIds().includes(running.id), 2_000, 5, "the start");
    for (const j of rest) expect(p.abort(j.id, "Lease lost", 5_000)).toBe("unstarted");
    settle(p);
    expect(reclaimed.map((j) => j.id)).toEqual(rest.map((j) => j.id));
    await waitFor(() => finished.length === 1, 2_000, 10, "the running job");
    expect(finished[0]!.execution.ok).toBe(true);
  });

  it("starts threads again after the idle ones have stopped", async () => {
    const p = await startPool(3, 500);
    p.grow();
    await waitFor(() => p.idleCount() === 3, 10_000, 20, "three ready threads");
    await waitFor(() => p.threadCount() === 1, 3_000, 20, "the idle ones to stop");
    p.grow();
    expect(p.threadCount()).toBe(3);
    await waitFor(() => p.idleCount() === 3, 10_000, 20, "three ready threads again");
  });
});
