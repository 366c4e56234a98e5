/**
 * Test harness: throwaway databases and real worker processes (`node worker/run.mjs`, as `npm run worker`)
 * started, signalled and waited on the way an operator would.
 */
import { spawn, spawnSync, type ChildProcess } from "node:child_process";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { getStore, type Store } from "@/db/store";
import { prepareWorkerTestDb } from "@/db/testing/worker-db";
import { openWorkerRows, type WorkerRows } from "@/db/testing/worker-rows";

export { inotifyWatches } from "@/db/testing/worker-inotify";

/** A throwaway database for a test. */
export interface TestDb {
  dir: string;
  url: string;
  /** The store on it, for what a test does as the library, the dashboard or the CLI would. */
  store: Store;
  /** Reads the rows the workers wrote (db/testing/worker-rows.ts). */
  rows: WorkerRows;
  cleanup(): void;
}

/** A temp folder with a migrated database file; `cleanup()` removes both. */
export function makeTestDb(prefix = "jobdeck-test-"): TestDb {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), prefix));
  const url = path.join(dir, "jobdeck.db");
  prepareWorkerTestDb(url);
  const store = getStore(url);
  const rows = openWorkerRows(url);
  return {
    dir,
    url,
    store,
    rows,
    cleanup() {
      rows.close();
      // The process-wide store's close is synchronous on SQLite.
      void store.close();
      fs.rmSync(dir, { recursive: true, force: true });
    },
  };
}

/** Runs `npm run jobdeck -- <args>` against the database at `url` as a user would: a real process. */
export function runJobdeck(
  url: string,
  ...args: string[]
): { code: number | null; stdout: string; stderr: string } {
  const r = spawnSync(process.execPath, ["--import", "tsx", "worker/cli.ts", ...args], {
    env: { ...process.env, DATABASE_URL: url },
    encoding: "utf8",
  });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}

/** A running worker process and everything it printed. */
export interface WorkerProcess {
  proc: ChildProcess;
  output(): string;
  exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
  /** Resolves once the worker logged `worker:started`. */
  started: Promise<void>;
}

/**
 * Starts `npm run worker`'s entry point on the given database with extra arguments (from the
 * project root, or from `cwd`).
 */
export function startWorker(
  url: string,
  args: string[] = [],
  env: Record<string, string> = {},
  cwd = process.cwd(),
): WorkerProcess {
  const proc = spawn(process.execPath, [path.join(process.cwd(), "worker/run.mjs"), ...args], {
    cwd,
    env: {
      ...process.env,
      DATABASE_URL: url,
      JOBDECK_TEST_TASKS: "1",
      JOBDECK_LOG_LEVEL: "info",
      ...env,
    },
    stdio: ["ignore", "pipe", "pipe"],
  });
  let out = "";
  let onStarted: () => void = () => undefined;
  const started = new Promise<void>((resolve) => (onStarted = resolve));
  const collect = (chunk: Buffer) => {
    out += chunk.toString();
    if (out.includes("worker:started")) onStarted();
  };
  proc.stdout!.on("data", collect);
  proc.stderr!.on("data", collect);
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) =>
    proc.on("exit", (code, signal) => resolve({ code, signal })),
  );
  return { proc, output: () => out, exited, started };
}

/** Polls `check` every `everyMs` until it returns (or resolves to) true, or throws after `timeoutMs`. */
export async function waitFor(
  check: () => boolean | Promise<boolean>,
  timeoutMs = 30_000,
  everyMs = 50,
  what = "condition",
): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > deadline)
      throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await new Promise((r) => setTimeout(r, everyMs));
  }
}

/** Counts runs per job id from test.trace's files in `dir` (the task side, outside the database). */
export function countTracedRuns(dir: string): Map<number, number> {
  const runs = new Map<number, number>();
  for (const file of fs.readdirSync(dir).filter((f) => f.startsWith("runs-"))) {
    for (const line of fs.readFileSync(path.join(dir, file), "utf8").split("\n")) {
      if (!line) continue;
      const id = Number(line.split(" ")[0]);
      runs.set(id, (runs.get(id) ?? 0) + 1);
    }
  }
  return runs;
}

/** Every traced run as [jobId, attempt] pairs. */
export function countTracedRunsByAttempt(dir: string): [number, number][] {
  const pairs: [number, number][] = [];
  for (const file of fs.readdirSync(dir).filter((f) => f.startsWith("runs-"))) {
    for (const line of fs.readFileSync(path.join(dir, file), "utf8").split("\n")) {
      if (!line) continue;
      const [id, attempt] = line.split(" ").map(Number);
      pairs.push([id!, attempt!]);
    }
  }
  return pairs;
}

/**
 * What a test started and must stop: call in a test file's top level; `track` a worker (SIGKILLed
 * after the test if still running), `testDb()` a database (removed after the test).
 */
export function cleanupAfterEach(afterEach: (fn: () => void) => void) {
  const cleanups: (() => void)[] = [];
  afterEach(() => {
    for (const c of cleanups.splice(0)) c();
  });
  return {
    track(w: WorkerProcess): WorkerProcess {
      cleanups.unshift(
        () => w.proc.exitCode === null && w.proc.signalCode === null && w.proc.kill("SIGKILL"),
      );
      return w;
    },
    testDb(): TestDb {
      const t = makeTestDb();
      cleanups.push(t.cleanup);
      return t;
    },
  };
}
