/**
 * `npm run web`'s supervisor keeps the dashboard up: a server that crashes, or that cannot start
 * because its port is taken, is restarted with backoff, and the log says what happened.
 */
import { spawn, execFileSync, type ChildProcess } from "node:child_process";
import fs from "node:fs";
import net from "node:net";
import os from "node:os";
import path from "node:path";
import { test, expect } from "@playwright/test";

const ROOT = path.resolve(import.meta.dirname, "..");

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = net.createServer();
    server.once("error", reject);
    server.listen(0, "127.0.0.1", () => {
      const { port } = server.address() as net.AddressInfo;
      server.close(() => resolve(port));
    });
  });
}

async function isServing(port: number): Promise<boolean> {
  try {
    const response = await fetch(`http://127.0.0.1:${port}/login`);
    return response.status === 200;
  } catch {
    return false;
  }
}

async function waitUntil(what: string, check: () => Promise<boolean>, timeoutMs = 60_000) {
  const until = Date.now() + timeoutMs;
  while (Date.now() < until) {
    if (await check()) return;
    await new Promise((r) => setTimeout(r, 200));
  }
  throw new Error(`timed out waiting until ${what}`);
}

function childPids(pid: number): number[] {
  try {
    return execFileSync("pgrep", ["-P", String(pid)], { encoding: "utf8" })
      .split("\n")
      .filter(Boolean)
      .map(Number);
  } catch {
    return [];
  }
}

test.describe("the web supervisor", () => {
  test.setTimeout(180_000);
  let dir = "";
  let supervisor: ChildProcess | undefined;
  let log = "";

  test.beforeEach(() => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), "jobdeck-supervisor-"));
    log = "";
  });
  test.afterEach(async () => {
    if (supervisor?.pid && supervisor.exitCode === null) {
      supervisor.kill("SIGTERM");
      await new Promise((r) => supervisor?.once("exit", r));
    }
    fs.rmSync(dir, { recursive: true, force: true });
  });

  function startWeb(port: number) {
    supervisor = spawn(process.execPath, ["--import", "tsx", "worker/start.ts", "--web-only"], {
      cwd: ROOT,
      env: {
        ...process.env,
        DATABASE_URL: path.join(dir, "web.db"),
        PORT: String(port),
        NODE_ENV: "production",
        NEXT_TELEMETRY_DISABLED: "1",
      },
      stdio: ["ignore", "pipe", "pipe"],
    });
    supervisor.stdout?.on("data", (chunk) => (log += String(chunk)));
    supervisor.stderr?.on("data", (chunk) => (log += String(chunk)));
    return supervisor;
  }

  test("restarts a dashboard server that keeps crashing, and says so", async () => {
    const port = await freePort();
    const web = startWeb(port);
    await waitUntil("the dashboard serves", () => isServing(port));
    for (let crash = 1; crash <= 4; crash++) {
      // The supervisor's children include tsx's esbuild service: pick the Next.js server (which
      // renames itself "next-server (v…)").
      const server = childPids(web.pid ?? 0).find((pid) => {
        try {
          return /next-server|next\/dist\/bin\/next/.test(
            fs.readFileSync(`/proc/${pid}/cmdline`, "utf8"),
          );
        } catch {
          return false;
        }
      });
      expect(server, "the supervisor's server process").toBeTruthy();
      process.kill(server as number, "SIGKILL");
      await waitUntil(
        `restart ${crash} is logged`,
        async () => log.includes(`restarting in`) && log.includes(`(restart ${crash})`),
      );
      await waitUntil(`the dashboard serves again after crash ${crash}`, () => isServing(port));
    }
    expect(log).toContain("web was killed by SIGKILL");
    expect(web.exitCode).toBeNull();
  });

  test("waits for a taken port instead of giving up, naming the port", async () => {
    const port = await freePort();
    const squatter = net.createServer();
    await new Promise<void>((r) => squatter.listen(port, "127.0.0.1", r));
    const web = startWeb(port);
    await waitUntil(
      "three failed starts",
      async () => (log.match(/restart \d+\)/g) ?? []).length >= 3,
    );
    expect(log).toContain(`port ${port} on 127.0.0.1 is in use by another program`);
    expect(web.exitCode).toBeNull();
    await new Promise((r) => squatter.close(r));
    await waitUntil("the dashboard serves once the port is free", () => isServing(port), 90_000);
  });
});
