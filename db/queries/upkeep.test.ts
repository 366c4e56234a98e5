import { spawn } from "node:child_process";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { openDb, type Db } from "../client";
import { seedRows } from "./seed";
import { getQueueStats } from "./stats";
import { pruneResults } from "./upkeep";

let dir: string;
let db: Db;
beforeEach(() => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), "jobdeck-upkeep-"));
  db = openDb({ url: path.join(dir, "q.db") });
});
afterEach(() => {
  db.$client.close();
  fs.rmSync(dir, { recursive: true, force: true });
});

describe("pruning", () => {
  it("keeps the newest successes by the save limit and every failure", () => {
    seedRows(db, { successes: 12_000, failures: 300, queued: 0 });
    const newest = db.$client
      .prepare(
        `SELECT id FROM results WHERE state = 'success' ORDER BY stopped_at DESC, id DESC LIMIT 1000`,
      )
      .pluck()
      .all();
    expect(pruneResults(db, { saveLimit: 1000, saveDays: 0, failureDays: 0 })).toEqual({
      successes: 11_000,
      failures: 0,
    });
    expect(
      db.$client
        .prepare(`SELECT id FROM results WHERE state = 'success' ORDER BY stopped_at DESC, id DESC`)
        .pluck()
        .all(),
    ).toEqual(newest);
    expect(getQueueStats(db)).toMatchObject({ success: 1000, failure: 300 });
  });

  it("drops successes by age, keeps all with save limit 0, and none with -1", () => {
    const now = Date.now();
    seedRows(db, { successes: 100, failures: 0, queued: 0 }, now - 3 * 86_400_000);
    seedRows(db, { successes: 50, failures: 0, queued: 0 }, now);
    expect(pruneResults(db, { saveLimit: 0, saveDays: 0, failureDays: 0 })).toEqual({
      successes: 0,
      failures: 0,
    });
    expect(pruneResults(db, { saveLimit: 0, saveDays: 2, failureDays: 0 }).successes).toBe(100);
    expect(pruneResults(db, { saveLimit: -1, saveDays: 0, failureDays: 0 }).successes).toBe(50);
    expect(getQueueStats(db).success).toBe(0);
  });
});

describe("migrations", () => {
  it("are applied once when several processes open a new file at the same instant", async () => {
    const url = path.join(dir, "race.db");
    const script = `import { openDb } from "@/db/client"; const db = openDb({ url: ${JSON.stringify(url)} }); console.log(db.$client.prepare("SELECT COUNT(*) FROM __drizzle_migrations").pluck().get());`;
    const file = path.join(process.cwd(), "db/queries/.migrate-race.tmp.ts");
    fs.writeFileSync(file, script);
    try {
      const outputs = await Promise.all(
        Array.from({ length: 4 }, () => {
          const proc = spawn(process.execPath, ["--import", "tsx", file], {
            stdio: ["ignore", "pipe", "pipe"],
          });
          let out = "";
          proc.stdout.on("data", (c: Buffer) => (out += c.toString()));
          proc.stderr.on("data", (c: Buffer) => (out += c.toString()));
          return new Promise<{ code: number | null; out: string }>((r) =>
            proc.on("exit", (code) => r({ code, out })),
          );
        }),
      );
      const applied = fs
        .readdirSync(path.join(process.cwd(), "db/migrations"))
        .filter((f) => f.endsWith(".sql")).length;
      for (const o of outputs) {
        expect(o.code).toBe(0);
        expect(o.out.trim()).toBe(String(applied));
      }
    } finally {
      fs.rmSync(file, { force: true });
    }
  });
});
