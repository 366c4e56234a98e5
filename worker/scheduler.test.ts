import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { afterEach, beforeEach, expect, it } from "vitest";
import { openStore, type Store } from "@/db/store";
import { schedulerTick, startScheduler } from "./scheduler";

const T0 = Date.parse("2026-01-05T10:00:00Z");
let dir: string;
let store: Store;

beforeEach(async () => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), "jobdeck-scheduler-"));
  store = await openStore({ url: path.join(dir, "test.db") });
});

afterEach(async () => {
  await store.close().catch(() => undefined);
  fs.rmSync(dir, { recursive: true, force: true });
});

const jobCount = async () => (await store.reads.getQueueStats()).queued;

it("fires a due schedule within a tick and logs it", async () => {
  await store.library.createSchedule(
    { name: "tick", task: "demo.noop", scheduleType: "minutes", minutes: 1, nextRunAt: T0 },
    T0,
  );
  const events: string[] = [];
  let now = T0 - 1000;
  const scheduler = startScheduler(store.upkeep, {
    tickMs: 20,
    now: () => now,
    log: (event) => events.push(event),
  });
  await new Promise((r) => setTimeout(r, 60));
  expect(await jobCount()).toBe(0);
  now = T0 + 500;
  await new Promise((r) => setTimeout(r, 100));
  await scheduler.stop();
  expect(await jobCount()).toBe(1);
  expect(events).toEqual(["schedule:fired"]);
});

it("logs instead of throwing when the database is gone, and keeps ticking", async () => {
  const events: string[] = [];
  await store.close();
  await expect(
    schedulerTick(store.upkeep, { log: (event) => events.push(event) }),
  ).resolves.toBeUndefined();
  const scheduler = startScheduler(store.upkeep, {
    tickMs: 10,
    log: (event) => events.push(event),
  });
  await new Promise((r) => setTimeout(r, 60));
  await scheduler.stop();
  expect(events.length).toBeGreaterThan(2);
  expect(new Set(events)).toEqual(new Set(["scheduler:error"]));
});
