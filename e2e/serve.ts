/**
 * Playwright's web server for the e2e suite: a fresh throwaway database (DATABASE_URL, removed
 * first), migrated, with the test admin created through the CLI, then the built dashboard
 * (`next start`) and one real worker. Children are stopped when Playwright stops this process.
 * Run from the project root after `next build`.
 */
import { spawn, spawnSync, type ChildProcess } from "node:child_process";
import fs from "node:fs";
import path from "node:path";

const ROOT = process.cwd();
const DB = path.resolve(process.env.DATABASE_URL ?? "e2e/.tmp/e2e.db");
const PORT = process.env.E2E_PORT ?? "3123";
const TSX = path.join(ROOT, "node_modules/tsx/dist/cli.mjs");
const NEXT = path.join(ROOT, "node_modules/next/dist/bin/next");
const env: NodeJS.ProcessEnv = {
  ...process.env,
  DATABASE_URL: DB,
  NEXT_TELEMETRY_DISABLED: "1",
  NODE_ENV: "production",
};

function runCli(args: string[], extraEnv: Record<string, string> = {}) {
  const result = spawnSync(process.execPath, [TSX, "worker/cli.ts", ...args], {
    cwd: ROOT,
    env: { ...env, ...extraEnv },
    stdio: "inherit",
  });
  if (result.status !== 0)
    throw new Error(`jobdeck ${args.join(" ")} exited with ${result.status}`);
}

fs.mkdirSync(path.dirname(DB), { recursive: true });
for (const suffix of ["", "-wal", "-shm", "-bell"]) fs.rmSync(DB + suffix, { force: true });
if (!fs.existsSync(path.join(ROOT, ".next/BUILD_ID"))) {
  console.error("e2e: no build in .next; run `npm run build` first");
  process.exit(1);
}
runCli(["migrate"]);
runCli(["admin", "create", process.env.E2E_ADMIN ?? "e2e-admin"], {
  JOBDECK_PASSWORD: process.env.E2E_PASSWORD ?? "Deck-Test-Passw0rd-42!",
});

const children: ChildProcess[] = [
  spawn(process.execPath, [NEXT, "start", "-H", "127.0.0.1", "-p", PORT], {
    cwd: ROOT,
    env,
    stdio: "inherit",
  }),
  spawn(
    process.execPath,
    ["worker/run.mjs", "--concurrency", "4", "--lease", "10", "--backoff", "1"],
    {
      cwd: ROOT,
      env,
      stdio: "inherit",
    },
  ),
];

let stopping = false;
function stop(code: number) {
  if (stopping) return;
  stopping = true;
  for (const child of children) if (child.exitCode === null) child.kill("SIGTERM");
  setTimeout(() => {
    for (const child of children) if (child.exitCode === null) child.kill("SIGKILL");
    process.exit(code);
  }, 3000).unref();
  Promise.all(
    children.map((c) => (c.exitCode === null ? new Promise((r) => c.once("exit", r)) : null)),
  ).then(() => process.exit(code));
}
for (const signal of ["SIGINT", "SIGTERM", "SIGHUP"] as const) process.on(signal, () => stop(0));
// When the Playwright runner is killed outright, nothing signals us: stop once it is gone, so no
// server is left holding the port.
const runnerPid = Number(process.env.E2E_RUNNER_PID ?? 0);
if (runnerPid > 0) {
  setInterval(() => {
    try {
      process.kill(runnerPid, 0);
    } catch {
      stop(0);
    }
  }, 1000).unref();
}
for (const child of children) {
  child.once("exit", (code) => {
    if (!stopping) {
      console.error(`e2e: a server process exited (${code}); stopping`);
      stop(1);
    }
  });
}
