/** The demo schedules `npm start` seeds on an empty database, like a real app has. */
import { DateTime } from "luxon";
import type { Db } from "../client";
import type { ScheduleInput } from "../schedule-rules";
import { createSchedule, getSchedule } from "./schedules";

/** The next instant at or after `now` with this UTC hour and minute (and weekday, 1 = Monday). */
function nextUtc(now: number, hour: number, minute: number, weekday?: number): number {
  let at = DateTime.fromMillis(now, { zone: "UTC" }).set({
    hour,
    minute,
    second: 0,
    millisecond: 0,
  });
  while (at.toMillis() < now || (weekday !== undefined && at.weekday !== weekday))
    at = at.plus({ days: 1 });
  return at.toMillis();
}

/** The demo's schedules, their first runs planned from `now` (UTC). */
export function demoSchedules(now: number): ScheduleInput[] {
  const nextHour = DateTime.fromMillis(now, { zone: "UTC" })
    .startOf("hour")
    .plus({ hours: 1 })
    .toMillis();
  return [
    {
      name: "Hourly digest",
      task: "demo.echo",
      args: '{"digest":"hourly"}',
      scheduleType: "hourly",
      nextRunAt: nextHour,
    },
    {
      name: "Daily digest",
      task: "demo.echo",
      args: '{"digest":"daily"}',
      scheduleType: "daily",
      nextRunAt: nextUtc(now, 8, 0),
    },
    {
      name: "Weekly digest",
      task: "demo.echo",
      args: '{"digest":"weekly"}',
      scheduleType: "weekly",
      nextRunAt: nextUtc(now, 8, 0, 1),
    },
    {
      name: "Nightly cleanup",
      task: "jobdeck.prune",
      args: "{}",
      scheduleType: "cron",
      cron: "0 4 * * *",
    },
  ];
}

/** Creates the demo schedules that are missing (by name; idempotent), all in UTC. Returns how many it created. */
export function seedDemoSchedules(db: Db, now = Date.now()): number {
  let created = 0;
  for (const input of demoSchedules(now)) {
    if (getSchedule(db, input.name)) continue;
    try {
      createSchedule(db, { ...input, timezone: "UTC" }, now);
      created += 1;
    } catch (error) {
      // Another process seeding at the same moment created it first.
      if (!getSchedule(db, input.name)) throw error;
    }
  }
  return created;
}
