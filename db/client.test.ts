import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import Database from "better-sqlite3";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import {
  NEW_DATABASE_PAGE_SIZE,
  openDb,
  WAL_AUTOCHECKPOINT_BYTES,
  WAL_SIZE_LIMIT_BYTES,
  type Db,
} from "./client";
import { enqueueJob, enqueueJobs } from "./queries/enqueue";

let dir: string;
let db: Db | undefined;
beforeEach(() => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), "jobdeck-client-"));
});
afterEach(() => {
  db?.$client.close();
  db = undefined;
  fs.rmSync(dir, { recursive: true, force: true });
});

const walBytes = (file: string) => fs.statSync(`${file}-wal`).size;

describe("opening a database", () => {
  it("gives a new file small pages and leaves an existing file's page size alone", () => {
    const fresh = path.join(dir, "fresh.db");
    db = openDb({ url: fresh });
    expect(db.$client.pragma("page_size", { simple: true })).toBe(NEW_DATABASE_PAGE_SIZE);
    db.$client.close();

    const old = path.join(dir, "old.db");
    const raw = new Database(old);
    raw.pragma("page_size = 4096");
    raw.exec("CREATE TABLE earlier (x)");
    raw.close();
    db = openDb({ url: old });
    expect(db.$client.pragma("page_size", { simple: true })).toBe(4096);
    expect(db.$client.pragma("wal_autocheckpoint", { simple: true })).toBe(
      WAL_AUTOCHECKPOINT_BYTES / 4096,
    );
  });
});

describe("the WAL with no worker running", () => {
  it("stays under its bound while jobs are enqueued one by one", () => {
    const file = path.join(dir, "q.db");
    db = openDb({ url: file });
    let largest = 0;
    // About five frames (10 KiB) a commit: enough to fill the WAL three times over.
    const commits = Math.ceil((3 * WAL_AUTOCHECKPOINT_BYTES) / 10_000);
    for (let i = 0; i < commits; i++) {
      enqueueJob(db, "demo.noop", { i, pad: "x".repeat(1500) });
      largest = Math.max(largest, walBytes(file));
    }
    // Checkpoints copied the jobs into the database file meanwhile.
    expect(fs.statSync(file).size).toBeGreaterThan(commits * 1500);
    // The bound counts pages; each WAL frame adds a 24-byte header. One commit may overshoot.
    const frames = WAL_AUTOCHECKPOINT_BYTES / NEW_DATABASE_PAGE_SIZE;
    expect(largest).toBeLessThanOrEqual(frames * (NEW_DATABASE_PAGE_SIZE + 24) + 256 * 1024);
  });

  it("is cut back to its size limit after one transaction outgrew it", () => {
    const file = path.join(dir, "q.db");
    db = openDb({ url: file });
    const pad = "x".repeat(30_000);
    const rows = Math.ceil((1.2 * WAL_SIZE_LIMIT_BYTES) / pad.length);
    enqueueJobs(
      db,
      Array.from({ length: rows }, (_, i) => ({ task: "demo.noop", args: { i, pad } })),
    );
    expect(walBytes(file)).toBeGreaterThan(WAL_SIZE_LIMIT_BYTES);
    // The next commits checkpoint (the WAL is past its autocheckpoint size), restart and trim it.
    for (let i = 0; i < 3; i++) enqueueJob(db, "demo.noop", { i });
    expect(walBytes(file)).toBeLessThanOrEqual(WAL_SIZE_LIMIT_BYTES);
  });
});
