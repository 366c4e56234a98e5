/**
 * `npm start`: everything a newcomer needs in one command. Migrates the database, creates the
 * first admin (password printed once), seeds demo jobs and schedules on an empty database, builds
 * the dashboard when its build is missing or stale, then runs `next start` on 127.0.0.1:$PORT and
 * one worker, restarting either whenever it exits (with a growing delay while it keeps failing). Ctrl-C stops both gracefully; a second Ctrl-C at once.
 * `npm run web` (`--web-only`) runs the dashboard alone.
 */
import { spawn, spawnSync, type ChildProcess } from "node:child_process";
import fs from "node:fs";
import net from "node:net";
import path from "node:path";
import { parseArgs } from "node:util";
import { openStore } from "@/db/store";
import { taskCatalog } from "./tasks/index";

const HELP = `Usage: npm start [-- options]      (npm run web = npm start -- --web-only)

Runs the Jobdeck dashboard (http://127.0.0.1:$PORT, default 3000) and one worker.
On an empty database: migrates, creates user "admin" with a random password printed once,
and seeds demo jobs and schedules.

Options:
  --web-only          run the dashboard only (production: run workers with npm run worker)
  --no-demo           do not seed demo jobs and schedules
  --worker-args "…"   extra options for the worker, e.g. "--concurrency 8"
  -h, --help          show this help

Environment: DATABASE_URL (default data/jobdeck.db), PORT (3000), HOST (127.0.0.1),
JOBDECK_SECRET (session signing; generated and stored in the database when absent).`;

const ROOT = process.cwd();
const NEXT_BIN = path.join(ROOT, "node_modules/next/dist/bin/next");
const BUILD_INPUTS = [
  "app",
  "components",
  "db",
  "public",
  "next.config.ts",
  "instrumentation.ts",
  "proxy.ts",
  "package-lock.json",
  "postcss.config.mjs",
];

function newestMtime(entry: string): number {
  const full = path.join(ROOT, entry);
  if (!fs.existsSync(full)) return 0;
  const stat = fs.statSync(full);
  if (!stat.isDirectory()) return stat.mtimeMs;
  let newest = stat.mtimeMs;
  for (const child of fs.readdirSync(full))
    newest = Math.max(newest, newestMtime(path.join(entry, child)));
  return newest;
}

/** Builds the dashboard unless .next holds a build newer than every source file. */
function buildIfStale(): void {
  const buildId = path.join(ROOT, ".next/BUILD_ID");
  const builtAt = fs.existsSync(buildId) ? fs.statSync(buildId).mtimeMs : 0;
  const sourcesAt = Math.max(...BUILD_INPUTS.map(newestMtime));
  if (builtAt > sourcesAt) return;
  console.log(
    builtAt === 0
      ? "Building the dashboard (first run)…"
      : "Sources changed: rebuilding the dashboard…",
  );
  const result = spawnSync(process.execPath, [NEXT_BIN, "build"], {
    stdio: "inherit",
    env: { ...process.env, NEXT_TELEMETRY_DISABLED: "1" },
  });
  if (result.status !== 0) {
    console.error("error: `next build` failed (see above); fix it and run npm start again");
    process.exit(result.status ?? 1);
  }
}

/** Migrates, syncs tasks, creates the first admin and seeds demo data. */
async function prepareDatabase(
  seedDemo: boolean,
): Promise<{ location: string; admin: { username: string; password: string } | null }> {
  const store = await openStore();
  await store.upkeep.syncTaskCatalog(taskCatalog());
  const admin = await store.auth.ensureInitialAdmin();
  if (seedDemo && (await store.maintenance.isFreshDatabase())) {
    const ids = await store.maintenance.seedDemoJobs();
    await store.maintenance.seedDemoSchedules();
    console.log(
      `Seeded ${ids.length} demo jobs and the demo schedules (start with --no-demo to skip).`,
    );
  }
  await store.close();
  return { location: store.location, admin };
}

/** A crash this soon after start counts toward the backoff; a later one starts it over. */
const QUICK_FAILURE_MS = 10_000;

/** Delay before restart: 0.5 s after a healthy run, doubling per quick failure, at most 30 s. */
function restartDelayMs(quickFailures: number): number {
  return Math.min(30_000, 500 * 2 ** Math.max(0, quickFailures - 1));
}

/** Whether something else listens on host:port (tried by listening there for a moment). */
function isPortInUse(host: string, port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const server = net.createServer();
    server.once("error", (error: NodeJS.ErrnoException) => resolve(error.code === "EADDRINUSE"));
    server.listen(port, host, () => server.close(() => resolve(false)));
  });
}

interface Child {
  name: string;
  args: string[];
  process: ChildProcess | null;
  restarts: number;
  quickFailures: number;
}

async function main(): Promise<void> {
  const { values } = parseArgs({
    args: process.argv.slice(2),
    strict: true,
    options: {
      "web-only": { type: "boolean" },
      "no-demo": { type: "boolean" },
      "worker-args": { type: "string" },
      help: { type: "boolean", short: "h" },
    },
  });
  if (values.help) {
    console.log(HELP);
    return;
  }
  const port = process.env.PORT ?? "3000";
  const host = process.env.HOST ?? "127.0.0.1";
  if (!/^\d+$/.test(port) || Number(port) < 1 || Number(port) > 65535) {
    console.error(`error: PORT="${port}" must be a port number from 1 to 65535`);
    process.exit(2);
  }
  const isWebOnly = values["web-only"] === true;
  const { location, admin } = await prepareDatabase(!isWebOnly && values["no-demo"] !== true);
  buildIfStale();

  const children: Child[] = [
    {
      name: "web",
      args: [NEXT_BIN, "start", "-H", host, "-p", port],
      process: null,
      restarts: 0,
      quickFailures: 0,
    },
  ];
  if (!isWebOnly) {
    const extra = values["worker-args"]?.split(/\s+/).filter(Boolean) ?? [];
    children.push({
      name: "worker",
      args: ["worker/run.mjs", ...extra],
      process: null,
      restarts: 0,
      quickFailures: 0,
    });
  }
  let stopping = false;

  const run = (child: Child) => {
    const proc = spawn(process.execPath, child.args, {
      stdio: "inherit",
      // Own process group: a terminal Ctrl-C reaches only this supervisor, which forwards it once.
      detached: true,
      env: { ...process.env, NEXT_TELEMETRY_DISABLED: "1" },
    });
    child.process = proc;
    const startedAt = Date.now();
    proc.on("exit", (code, signal) => {
      child.process = null;
      if (stopping) {
        if (children.every((c) => c.process === null)) process.exit(process.exitCode ?? 0);
        return;
      }
      // A worker refusing its settings (exit 2) will not heal by restarting: stop and say so.
      if (child.name === "worker" && code === 2) {
        console.error("error: the worker refused its settings (see above); fix --worker-args");
        stopAll(1);
        return;
      }
      // Everything else is restarted, forever, with a backoff that grows while it keeps failing
      // soon after start (a port in use, a broken build) and starts over after a healthy run.
      const ranMs = Date.now() - startedAt;
      child.quickFailures = ranMs < QUICK_FAILURE_MS ? child.quickFailures + 1 : 0;
      child.restarts++;
      const delay = restartDelayMs(child.quickFailures);
      const how = signal ? `was killed by ${signal}` : `exited with code ${code}`;
      void explainFailure(child, ranMs).then((why) => {
        console.error(
          `${child.name} ${how} after ${(ranMs / 1000).toFixed(1)} s${why}; ` +
            `restarting in ${delay / 1000} s (restart ${child.restarts})`,
        );
      });
      setTimeout(() => !stopping && run(child), delay);
    });
  };
  const stopAll = (code: number) => {
    stopping = true;
    process.exitCode = code;
    for (const c of children) if (c.process?.pid) process.kill(c.process.pid, "SIGTERM");
    if (children.every((c) => c.process === null)) process.exit(code);
  };
  /** Why a child died, when we can tell: for the dashboard, whether its port is taken. */
  const explainFailure = async (child: Child, ranMs: number): Promise<string> => {
    if (child.name !== "web" || ranMs >= QUICK_FAILURE_MS) return "";
    return (await isPortInUse(host, Number(port)))
      ? ` (port ${port} on ${host} is in use by another program; stop it or set PORT)`
      : "";
  };
  children.forEach(run);

  const url = `http://${host === "0.0.0.0" ? "127.0.0.1" : host}:${port}`;
  const lines = [`Jobdeck dashboard: ${url}`, `Database: ${location}`];
  if (admin) {
    lines.push(
      `First run: signed-in user "${admin.username}" created with password:`,
      `    ${admin.password}`,
    );
    lines.push("It is shown only now. Change it: npm run jobdeck -- admin password admin");
  }
  console.log(`\n${lines.map((l) => `  ${l}`).join("\n")}\n`);

  let lastSignalAt = 0;
  const onSignal = (signal: NodeJS.Signals) => {
    const now = Date.now();
    // npm forwards the terminal's Ctrl-C too: two copies within a moment count as one.
    if (stopping && now - lastSignalAt < 1000) return;
    const isSecond = stopping;
    stopping = true;
    lastSignalAt = now;
    for (const c of children) {
      if (c.process?.pid) {
        try {
          process.kill(c.process.pid, isSecond ? "SIGKILL" : signal);
        } catch {
          // already gone
        }
      }
    }
    if (isSecond) process.exit(130);
    console.log("Stopping (waiting for running jobs; press Ctrl-C again to stop at once)…");
    if (children.every((c) => c.process === null)) process.exit(0);
  };
  process.on("SIGINT", onSignal);
  process.on("SIGTERM", onSignal);
}

main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
