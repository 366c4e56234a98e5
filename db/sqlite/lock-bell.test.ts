/** The write-lock bell between worker processes (two bells on one file stand for two processes). */
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { inotifyWatches } from "../testing/worker-inotify";
import { openLockBell, type LockBell } from "./lock-bell";

const dirs: string[] = [];
const bells: LockBell[] = [];
afterEach(() => {
  for (const bell of bells.splice(0)) bell.close();
  for (const dir of dirs.splice(0)) fs.rmSync(dir, { recursive: true, force: true });
});

function twoBells() {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "jobdeck-bell-"));
  dirs.push(dir);
  const dbPath = path.join(dir, "jobdeck.db");
  const holder = openLockBell(dbPath)!;
  const waiter = openLockBell(dbPath)!;
  bells.push(holder, waiter);
  return { dbPath, holder, waiter };
}

const pause = (ms: number) => new Promise((r) => setTimeout(r, ms));

async function waitFor(check: () => boolean, timeoutMs: number, everyMs: number, what: string) {
  const deadline = Date.now() + timeoutMs;
  while (!check()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await pause(everyMs);
  }
}

describe("the lock bell", () => {
  it("wakes a waiter once at the next ring, and the file stays one byte", async () => {
    const { dbPath, holder, waiter } = twoBells();
    let rings = 0;
    waiter.wait(() => rings++);
    await pause(50);
    expect(rings).toBe(0);
    holder.ring();
    await waitFor(() => rings === 1, 5_000, 5, "the ring");
    // One wait, one call: later rings reach only those who wait again.
    holder.ring();
    await pause(100);
    expect(rings).toBe(1);
    expect(fs.statSync(`${dbPath}-bell`).size).toBe(1);
  });

  it("calls no one whose wait was cancelled, and watches nothing while no one waits", async () => {
    const { holder, waiter } = twoBells();
    let rings = 0;
    const cancel = waiter.wait(() => rings++);
    expect(cancel).toBeInstanceOf(Function);
    const watchesWhileWaiting = inotifyWatches("self");
    cancel!();
    expect(inotifyWatches("self")).toBe(watchesWhileWaiting - 1);
    holder.ring();
    await pause(100);
    expect(rings).toBe(0);
  });

  it("wakes its waiters when the file is deleted, and both sides go on with a new one", async () => {
    const { dbPath, holder, waiter } = twoBells();
    let rings = 0;
    waiter.wait(() => rings++);
    fs.rmSync(`${dbPath}-bell`);
    await waitFor(() => rings === 1, 5_000, 5, "the wake-up");
    // The next wait makes the file again; the holder's next ring finds it.
    expect(waiter.wait(() => rings++)).toBeInstanceOf(Function);
    holder.ring();
    await waitFor(() => rings === 2, 5_000, 5, "the ring on the new file");
    expect(fs.statSync(`${dbPath}-bell`).size).toBe(1);
  });

  it("neither rings nor waits once closed", () => {
    const { dbPath, holder } = twoBells();
    holder.close();
    holder.ring();
    expect(holder.wait(() => undefined)).toBeNull();
    expect(fs.statSync(`${dbPath}-bell`).size).toBe(1);
  });

  it("opens no bell where the file cannot be made, so the caller polls instead", () => {
    expect(
      openLockBell(path.join(os.tmpdir(), "no-such-dir-jobdeck", "x", "jobdeck.db")),
    ).toBeNull();
  });
});
