import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { startCheckpointer } from "./checkpointer";
import { openDb, type Db } from "./client";
import { enqueueJob } from "./queries/enqueue";

let dir: string;
let db: Db | undefined;
let stop: (() => void) | undefined;
beforeEach(() => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), "jobdeck-checkpointer-"));
});
afterEach(() => {
  stop?.();
  stop = undefined;
  db?.$client.close();
  db = undefined;
  fs.rmSync(dir, { recursive: true, force: true });
});

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

describe("the checkpointer thread", () => {
  it("keeps the WAL small while a writer never stops committing", async () => {
    const file = path.join(dir, "q.db");
    db = openDb({ url: file });
    // Only the thread may checkpoint: this connection's own backstop is off.
    db.$client.pragma("wal_autocheckpoint = 0");
    const errors: string[] = [];
    stop = startCheckpointer(file, 20, (e) => errors.push(e), 256 * 1024);
    await sleep(300); // the thread's start-up
    let largest = 0;
    let commits = 0;
    const until = Date.now() + 1_500;
    while (Date.now() < until) {
      // An app enqueuing as fast as it can, with the pauses of a real event loop between bursts.
      for (let i = 0; i < 50; i++)
        enqueueJob(db, "demo.noop", { i: commits++, pad: "x".repeat(500) });
      largest = Math.max(largest, fs.statSync(`${file}-wal`).size);
      await sleep(0);
    }
    // A passive checkpoint alone copies the frames but never lets the log start over while
    // commits go on: the WAL would hold every commit since the start (several MB here).
    expect(commits * 3 * 2048).toBeGreaterThan(16 * 1024 * 1024);
    expect(largest).toBeLessThan(32 * 1024 * 1024);
    expect(errors).toEqual([]);
    // And the jobs reached the database file.
    const count = db.$client.prepare("SELECT COUNT(*) FROM jobs").pluck().get() as number;
    expect(count).toBe(commits);
  });
});
