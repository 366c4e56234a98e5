import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { afterEach, beforeEach, expect, it } from "vitest";
import { openDb, type Db } from "@/db/client";
import { createSchedule } from "@/db/queries/schedules";
import { schedulerTick, startScheduler } from "./scheduler";

const T0 = Date.parse("2026-01-05T10:00:00Z");
let dir: string;
let db: Db;

beforeEach(() => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), "jobdeck-scheduler-"));
  db = openDb({ url: path.join(dir, "test.db") });
});

afterEach(() => {
  if (db.$client.open) db.$client.close();
  fs.rmSync(dir, { recursive: true, force: true });
});

const jobCount = () => db.$client.prepare(`SELECT COUNT(*) FROM jobs`).pluck().get() as number;

it("fires a due schedule within a tick and logs it", async () => {
  createSchedule(
    db,
    { name: "tick", task: "demo.noop", scheduleType: "minutes", minutes: 1, nextRunAt: T0 },
    T0,
  );
  const events: string[] = [];
  let now = T0 - 1000;
  const scheduler = startScheduler(db, {
    tickMs: 20,
    now: () => now,
    log: (event) => events.push(event),
  });
  await new Promise((r) => setTimeout(r, 60));
  expect(jobCount()).toBe(0);
  now = T0 + 500;
  await new Promise((r) => setTimeout(r, 100));
  await scheduler.stop();
  expect(jobCount()).toBe(1);
  expect(events).toEqual(["schedule:fired"]);
});

it("logs instead of throwing when the database is gone, and keeps ticking", async () => {
  const events: string[] = [];
  db.$client.close();
  expect(() => schedulerTick(db, { log: (event) => events.push(event) })).not.toThrow();
  const scheduler = startScheduler(db, { tickMs: 10, log: (event) => events.push(event) });
  await new Promise((r) => setTimeout(r, 60));
  await scheduler.stop();
  expect(events.length).toBeGreaterThan(2);
  expect(new Set(events)).toEqual(new Set(["scheduler:error"]));
});
