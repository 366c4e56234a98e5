/**
 * Three real worker processes run their schedulers for about three minutes against one SQLite file;
 * one is killed with SIGKILL just before a minute boundary and restarted. Every schedule must fire
 * exactly once per minute: one schedule_runs row and one job per (schedule, minute).
 */
import { spawn, type ChildProcess } from "node:child_process";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { afterAll, beforeAll, expect, it } from "vitest";
import { openStore, type Store } from "@/db/store";
import { openWorkerRows, type WorkerRows } from "@/db/testing/worker-rows";

const MIN = 60_000;

let dir: string;
let dbUrl: string;
let store: Store;
let rows: WorkerRows;
const workers: (ChildProcess | null)[] = [null, null, null];

function startWorker(index: number): ChildProcess {
  const out = fs.openSync(path.join(dir, `worker-${index}.log`), "a");
  const child = spawn(process.execPath, ["worker/run.mjs", "--concurrency", "2"], {
    env: { ...process.env, DATABASE_URL: dbUrl },
    stdio: ["ignore", out, out],
  });
  fs.closeSync(out);
  return child;
}

function exited(child: ChildProcess, ms: number): Promise<boolean> {
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve(true);
  return new Promise((resolve) => {
    const timer = setTimeout(() => resolve(false), ms);
    child.once("exit", () => {
      clearTimeout(timer);
      resolve(true);
    });
  });
}

async function stop(child: ChildProcess, signal: NodeJS.Signals = "SIGTERM"): Promise<void> {
  child.kill(signal);
  if (!(await exited(child, 15_000))) {
    child.kill("SIGKILL");
    await exited(child, 5_000);
  }
}

const sleepUntil = (at: number) => new Promise((r) => setTimeout(r, Math.max(0, at - Date.now())));

beforeAll(async () => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), "jobdeck-multi-"));
  dbUrl = path.join(dir, "multi.db");
  // Migrate once before the workers start, so they never race on a brand-new file.
  store = await openStore({ url: dbUrl });
  rows = openWorkerRows(dbUrl);
});

afterAll(async () => {
  await Promise.all(workers.map((w) => (w ? stop(w, "SIGKILL") : undefined)));
  rows.close();
  await store.close();
  if (process.env.JOBDECK_KEEP_TEST_DIR) console.log(`kept ${dir}`);
  else fs.rmSync(dir, { recursive: true, force: true });
});

it(
  "fires each schedule exactly once per minute with three workers, one killed and restarted",
  { timeout: 360_000 },
  async () => {
    const now = Date.now();
    // Leave the workers ~10 s to start before the first minute boundary.
    const first = Math.ceil((now + 10_000) / MIN) * MIN;
    const cron = await store.library.createSchedule(
      {
        name: "cron",
        task: "demo.noop",
        scheduleType: "cron",
        cron: "* * * * *",
        nextRunAt: first,
      },
      now,
    );
    const every = await store.library.createSchedule(
      { name: "every", task: "demo.noop", scheduleType: "minutes", minutes: 1, nextRunAt: first },
      now,
    );
    expect(cron.nextRunAt).toBe(first);

    for (let i = 0; i < 3; i++) workers[i] = startWorker(i);
    // kill -9 just before the third boundary (mid-tick, perhaps mid-transaction), restart after it.
    await sleepUntil(first + 2 * MIN - 300);
    workers[0]!.kill("SIGKILL");
    await exited(workers[0]!, 5_000);
    await sleepUntil(first + 2 * MIN + 8_000);
    workers[0] = startWorker(0);
    await sleepUntil(first + 3 * MIN + 10_000);
    await Promise.all(workers.map((w) => stop(w!)));

    const expected = [0, 1, 2, 3].map((i) => first + i * MIN);
    for (const schedule of [cron, every]) {
      const runs = rows.scheduleRuns(schedule.id);
      expect(
        runs.map((r) => r.fireAt),
        schedule.name,
      ).toEqual(expected);
      const jobIds = rows.scheduleJobIds(schedule.id);
      expect(jobIds, schedule.name).toEqual(runs.map((r) => r.jobId).sort((a, b) => a - b));
    }
  },
);
