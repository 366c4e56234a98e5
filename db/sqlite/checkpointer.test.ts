import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import Database from "better-sqlite3";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { startCheckpointer } from "./checkpointer";
import { openDb, type Db } from "../client";
import { enqueueJob } from "../queries/enqueue";

let dir: string;
let file: string;
let db: Db | undefined;
let stop: (() => void) | undefined;
beforeEach(() => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), "jobdeck-checkpointer-"));
  file = path.join(dir, "q.db");
});
afterEach(() => {
  stop?.();
  stop = undefined;
  db?.$client.close();
  db = undefined;
  fs.rmSync(dir, { recursive: true, force: true });
});

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const walBytes = () => fs.statSync(`${file}-wal`).size;
/** The WAL header's checkpoint sequence number: it goes up each time the log starts over. */
function walRestarts(): number {
  const fd = fs.openSync(`${file}-wal`, "r");
  try {
    const header = Buffer.alloc(16);
    fs.readSync(fd, header, 0, 16, 0);
    return header.readUInt32BE(12);
  } finally {
    fs.closeSync(fd);
  }
}
/** A commit of one job with 500 bytes of arguments writes at least three 2 KiB pages. */
const MIN_COMMIT_BYTES = 3 * 2048;

/**
 * An app enqueuing as fast as it can for `ms`, with the pauses of a real event loop between
 * bursts. Returns how many commits it made, the largest WAL it saw, and the SQLITE_BUSY errors
 * it got.
 */
async function enqueueFor(ms: number) {
  let commits = 0;
  let largest = 0;
  let busy = 0;
  const until = Date.now() + ms;
  while (Date.now() < until) {
    for (let i = 0; i < 50; i++) {
      try {
        enqueueJob(db!, "demo.noop", { i: commits, pad: "x".repeat(500) });
        commits++;
      } catch (error) {
        if ((error as { code?: string }).code !== "SQLITE_BUSY") throw error;
        busy++;
      }
    }
    largest = Math.max(largest, walBytes());
    await sleep(0);
  }
  return { commits, largest, busy };
}

async function openWithCheckpointer(): Promise<string[]> {
  db = openDb({ url: file });
  // Only the thread may checkpoint: this connection's own backstop is off.
  db.$client.pragma("wal_autocheckpoint = 0");
  const errors: string[] = [];
  stop = startCheckpointer(file, 20, (e) => errors.push(e), 256 * 1024);
  await sleep(300); // the thread's start-up
  return errors;
}

describe("the checkpointer thread", () => {
  it("keeps the WAL small while a writer never stops committing", async () => {
    const errors = await openWithCheckpointer();
    const before = walRestarts();
    const { commits, largest } = await enqueueFor(1_500);
    // A passive checkpoint alone copies the frames but never lets the log start over while
    // commits go on: the WAL would hold every commit since the start (200 MB and more here).
    // How often it starts over depends on how this machine schedules the thread; it must.
    expect(walRestarts() - before).toBeGreaterThanOrEqual(5);
    expect(largest).toBeLessThan(commits * MIN_COMMIT_BYTES);
    expect(errors).toEqual([]);
    const count = db!.$client.prepare("SELECT COUNT(*) FROM jobs").pluck().get() as number;
    expect(count).toBe(commits);
  });

  it("never holds writers up while a reader keeps a transaction open", async () => {
    const errors = await openWithCheckpointer();
    // Writers give up after 250 ms: a RESTART that held the write lock while it waited for the
    // reader (up to its busy timeout, again and again) would make them fail.
    db!.$client.pragma("busy_timeout = 250");
    const reader = new Database(file, { readonly: true });
    try {
      // One reader keeps an old snapshot, then another keeps one at the end of the log.
      reader.exec("BEGIN");
      reader.prepare("SELECT COUNT(*) FROM jobs").get();
      const first = await enqueueFor(700);
      reader.exec("COMMIT");
      reader.exec("BEGIN");
      reader.prepare("SELECT COUNT(*) FROM jobs").get();
      const second = await enqueueFor(700);
      expect(first.busy + second.busy).toBe(0);
      expect(first.commits).toBeGreaterThan(0);
      expect(second.commits).toBeGreaterThan(0);
    } finally {
      reader.close();
    }
    // Once the reader is gone, the log starts over again.
    const before = walRestarts();
    await enqueueFor(1_500);
    expect(walRestarts() - before).toBeGreaterThanOrEqual(2);
    expect(errors).toEqual([]);
  });
});
