import { beforeEach, describe, expect, it } from "vitest";
import type { Db } from "../client";
import { InputError } from "../errors";
import type { ScheduleInput } from "../schedule-rules";
import {
  createSchedule,
  deleteSchedule,
  fireDueSchedules,
  fireSchedule,
  getSchedule,
  listDueScheduleIds,
  listSchedules,
  previewScheduleUpdate,
  pruneScheduleRuns,
  runScheduleNow,
  seedDemoSchedules,
  setScheduleEnabled,
  updateSchedule,
  type SchedulePatch,
} from "./schedules";
import { setupTestDb } from "./test-db";

const T0 = Date.parse("2026-01-05T10:00:00Z");
const MIN = 60_000;

const t = setupTestDb();
/** A second connection to the same file, for races between processes. */
let other: Db;
beforeEach(() => {
  other = t.connect();
});

function count(sql: string, ...params: unknown[]): number {
  return t.db.$client
    .prepare(sql)
    .pluck()
    .get(...params) as number;
}

const jobsOf = (id: number) => count(`SELECT COUNT(*) FROM jobs WHERE schedule_id = ?`, id);
const runsOf = (id: number) =>
  count(`SELECT COUNT(*) FROM schedule_runs WHERE schedule_id = ?`, id);

/** Fires schedule `id` a second after each of its next `n` runs falls due; returns them (ISO). */
function fireNextRuns(id: number, n: number): string[] {
  const seen: string[] = [];
  for (let i = 0; i < n; i++) {
    const due = getSchedule(t.db, id)!.nextRunAt!;
    seen.push(new Date(due).toISOString());
    fireDueSchedules(t.db, due + 1000);
  }
  return seen;
}

/** The times schedule `id` has fired at, oldest first (from its run records). */
function firedAt(id: number): number[] {
  return t.db.$client
    .prepare(`SELECT fire_at FROM schedule_runs WHERE schedule_id = ? ORDER BY fire_at`)
    .pluck()
    .all(id) as number[];
}

function everyMinute(overrides: Record<string, unknown> = {}) {
  return createSchedule(
    t.db,
    {
      name: "tick",
      task: "demo.noop",
      scheduleType: "minutes",
      minutes: 1,
      nextRunAt: T0,
      ...overrides,
    },
    T0,
  );
}

describe("fireDueSchedules", () => {
  it("fires a due schedule once even when two connections race for it", () => {
    const s = everyMinute();
    // Both connections see it due, then both try to fire it.
    expect(listDueScheduleIds(t.db, T0)).toEqual([s.id]);
    expect(listDueScheduleIds(other, T0)).toEqual([s.id]);
    const a = fireSchedule(t.db, s.id, T0);
    const b = fireSchedule(other, s.id, T0);
    expect(a.fired).toHaveLength(1);
    expect(b.fired).toHaveLength(0);
    expect(jobsOf(s.id)).toBe(1);
    expect(getSchedule(t.db, s.id)!.nextRunAt).toBe(T0 + MIN);
  });

  it("creates no job when the run row for that fire time already exists", () => {
    const s = everyMinute();
    fireDueSchedules(t.db, T0);
    // Put next_run_at back on a time already fired (as a stale writer might): the run row blocks it.
    t.db.$client.prepare(`UPDATE schedules SET next_run_at = ? WHERE id = ?`).run(T0, s.id);
    const report = fireDueSchedules(other, T0 + 1000);
    expect(report.fired).toHaveLength(0);
    expect(report.skipped).toBe(1);
    expect(jobsOf(s.id)).toBe(1);
    expect(runsOf(s.id)).toBe(1);
  });

  it("fires each minute once across a minute-by-minute clock", () => {
    const s = everyMinute();
    for (let i = 0; i <= 20; i++) fireDueSchedules(i % 2 === 0 ? t.db : other, T0 + i * 15_000);
    expect(jobsOf(s.id)).toBe(6);
    const fireTimes = t.db.$client
      .prepare(`SELECT fire_at FROM schedule_runs WHERE schedule_id = ? ORDER BY fire_at`)
      .pluck()
      .all(s.id);
    expect(fireTimes).toEqual([0, 1, 2, 3, 4, 5].map((i) => T0 + i * MIN));
  });

  it("fires one catch-up run after 10 missed minutes by default, then the next future time", () => {
    const s = everyMinute();
    const report = fireDueSchedules(t.db, T0 + 10 * MIN + 5000);
    expect(report.fired).toEqual([{ scheduleId: s.id, fireAt: T0, jobId: expect.any(Number) }]);
    expect(jobsOf(s.id)).toBe(1);
    expect(getSchedule(t.db, s.id)!.nextRunAt).toBe(T0 + 11 * MIN);
  });

  it("fires every missed run with catch-up all, each with its own fire time", () => {
    const s = everyMinute({ catchUp: "all" });
    const report = fireDueSchedules(t.db, T0 + 10 * MIN + 5000);
    expect(report.fired.map((r) => r.fireAt)).toEqual(
      Array.from({ length: 11 }, (_, i) => T0 + i * MIN),
    );
    expect(jobsOf(s.id)).toBe(11);
    expect(getSchedule(t.db, s.id)!.nextRunAt).toBe(T0 + 11 * MIN);
    expect(fireDueSchedules(t.db, T0 + 10 * MIN + 6000).fired).toHaveLength(0);
  });

  it("runs a schedule with repeats 3 exactly three times, then finishes it", () => {
    const s = everyMinute({ repeats: 3 });
    for (let i = 0; i <= 6; i++) fireDueSchedules(t.db, T0 + i * MIN);
    expect(jobsOf(s.id)).toBe(3);
    const after = getSchedule(t.db, s.id)!;
    expect(after).toMatchObject({ repeats: 0, isEnabled: false, nextRunAt: null });
    expect(() => setScheduleEnabled(t.db, s.id, true, T0 + 7 * MIN)).toThrow(InputError);
  });

  it("stops catch-up all at the runs left in repeats", () => {
    const s = everyMinute({ repeats: 3, catchUp: "all" });
    fireDueSchedules(t.db, T0 + 10 * MIN);
    expect(jobsOf(s.id)).toBe(3);
    expect(getSchedule(t.db, s.id)).toMatchObject({ repeats: 0, isEnabled: false });
  });

  it("fires a once schedule one time", () => {
    const s = createSchedule(
      t.db,
      {
        name: "one",
        task: "demo.echo",
        args: '{"a":1}',
        scheduleType: "once",
        nextRunAt: T0 + MIN,
      },
      T0,
    );
    expect(fireDueSchedules(t.db, T0).fired).toHaveLength(0);
    for (let i = 1; i <= 5; i++) fireDueSchedules(t.db, T0 + i * MIN);
    expect(jobsOf(s.id)).toBe(1);
    expect(getSchedule(t.db, s.id)).toMatchObject({
      isEnabled: false,
      nextRunAt: null,
      repeats: 0,
    });
    const job = t.db.$client
      .prepare(`SELECT task, args, name, queue FROM jobs WHERE schedule_id = ?`)
      .get(s.id);
    expect(job).toEqual({ task: "demo.echo", args: '{"a":1}', name: "one", queue: "default" });
  });

  it("never fires a disabled schedule, and skips the disabled period when enabled again", () => {
    const s = everyMinute();
    setScheduleEnabled(t.db, s.id, false, T0);
    for (let i = 0; i < 5; i++) fireDueSchedules(t.db, T0 + i * MIN);
    expect(jobsOf(s.id)).toBe(0);
    const enabled = setScheduleEnabled(t.db, s.id, true, T0 + 5 * MIN + 1);
    expect(enabled.nextRunAt).toBe(T0 + 6 * MIN);
  });

  it.each([
    {
      name: "keeps a monthly Jan 31 schedule on the month end and back to the 31st",
      rule: { scheduleType: "monthly" },
      runs: ["2026-01-31T08:00:00.000Z", "2026-02-28T08:00:00.000Z", "2026-03-31T08:00:00.000Z"],
    },
    {
      name: "returns a daily 02:30 Berlin schedule to 02:30 after the DST gap moved one run to 03:30",
      rule: { scheduleType: "daily", timezone: "Europe/Berlin" },
      runs: ["2026-03-28T01:30:00.000Z", "2026-03-29T01:30:00.000Z", "2026-03-30T00:30:00.000Z"],
    },
  ] as const)("$name", ({ rule, runs }) => {
    const first = Date.parse(runs[0]); // its next run when created, a minute before
    const s = createSchedule(
      t.db,
      { name: "s", task: "demo.noop", ...rule, nextRunAt: first },
      first - MIN,
    );
    expect(fireNextRuns(s.id, runs.length)).toEqual(runs);
  });

  it("prunes old run records of fixed-step schedules but keeps calendar ones", () => {
    const tick = everyMinute();
    const daily = createSchedule(
      t.db,
      { name: "d", task: "demo.noop", scheduleType: "daily", nextRunAt: T0 },
      T0,
    );
    for (let i = 0; i < 3; i++) fireDueSchedules(t.db, T0 + i * MIN);
    expect(pruneScheduleRuns(t.db, T0 + 2 * MIN, 30_000)).toBe(2);
    expect(runsOf(tick.id)).toBe(1);
    expect(pruneScheduleRuns(t.db, T0 + 30 * 24 * 60 * MIN)).toBe(1);
    expect(runsOf(daily.id)).toBe(1);
  });

  it("keeps firing other schedules when one cannot fire", () => {
    const bad = everyMinute();
    const good = everyMinute({ name: "good" });
    t.db.$client.prepare(`UPDATE schedules SET args = '{broken' WHERE id = ?`).run(bad.id);
    const report = fireDueSchedules(t.db, T0);
    expect(report.errors.map((e) => e.scheduleId)).toEqual([bad.id]);
    expect(jobsOf(good.id)).toBe(1);
    expect(runsOf(bad.id)).toBe(0);
  });
});

describe("schedule writes", () => {
  const base = { name: "digest", task: "demo.echo", scheduleType: "daily" } as const;

  it.each([
    [{ ...base, scheduleType: "cron", cron: "0 25 * * *" }, "cron"],
    [{ ...base, task: "no.such" }, "task"],
    [{ ...base, timezone: "Europe/Nowhere" }, "timezone"],
    [{ ...base, scheduleType: "minutes", minutes: 0 }, "minutes"],
    [{ ...base, args: "{oops" }, "args"],
  ])("refuses %j naming %s and saves nothing", (input, field) => {
    expect(() => createSchedule(t.db, input as never, T0)).toThrow(
      expect.objectContaining({ field }),
    );
    expect(count(`SELECT COUNT(*) FROM schedules`)).toBe(0);
  });

  it("refuses a duplicate name and an invalid update, leaving the row as it was", () => {
    const s = createSchedule(t.db, base, T0);
    expect(() => createSchedule(t.db, base, T0)).toThrow(
      expect.objectContaining({ field: "name" }),
    );
    expect(() => updateSchedule(t.db, s.id, { cron: "bad", scheduleType: "cron" }, T0)).toThrow(
      expect.objectContaining({ field: "cron" }),
    );
    expect(() => updateSchedule(t.db, s.id, { timezone: "Nope/Nope" }, T0)).toThrow(
      expect.objectContaining({ field: "timezone" }),
    );
    expect(getSchedule(t.db, s.id)).toMatchObject({
      scheduleType: "daily",
      cron: null,
      timezone: "UTC",
      updatedAt: T0,
    });
    expect(count(`SELECT COUNT(*) FROM schedules`)).toBe(1);
    expect(fireDueSchedules(t.db, T0).fired).toHaveLength(1);
  });

  it("updates the timing and recomputes the next run", () => {
    const s = createSchedule(t.db, { ...base, nextRunAt: T0 + MIN }, T0);
    const u = updateSchedule(
      t.db,
      s.id,
      { scheduleType: "cron", cron: "30 12 * * *", timezone: "Europe/Berlin" },
      T0,
    );
    expect(new Date(u.nextRunAt!).toISOString()).toBe("2026-01-05T11:30:00.000Z");
    const renamed = updateSchedule(t.db, s.id, { name: "renamed", args: '{"x":2}' }, T0);
    expect(renamed).toMatchObject({ name: "renamed", args: '{"x":2}', nextRunAt: u.nextRunAt });
  });

  it("runs a schedule now without moving its next run or repeats", () => {
    const s = createSchedule(t.db, { ...base, repeats: 2, nextRunAt: T0 + 60 * MIN }, T0);
    const jobId = runScheduleNow(t.db, s.id, T0);
    const after = getSchedule(t.db, s.id)!;
    expect(after).toMatchObject({
      nextRunAt: T0 + 60 * MIN,
      repeats: 2,
      lastJobId: jobId,
      lastRunAt: T0,
    });
    expect(after.lastRun).toEqual({ jobId, at: T0, outcome: "queued" });
  });

  it("lists schedules with their last run's outcome from results", () => {
    const s = everyMinute();
    const { fired } = fireDueSchedules(t.db, T0);
    const jobId = fired[0]!.jobId;
    t.db.$client.prepare(`DELETE FROM jobs WHERE id = ?`).run(jobId);
    t.db.$client
      .prepare(
        `INSERT INTO results (id, task, args, queue, priority, state, created_at, stopped_at, attempts, schedule_id)
         VALUES (?, 'demo.noop', 'null', 'default', 0, 'success', ?, ?, 1, ?)`,
      )
      .run(jobId, T0, T0 + 10, s.id);
    const [view] = listSchedules(t.db);
    expect(view!.lastRun).toEqual({ jobId, at: T0, outcome: "success" });
    expect(listSchedules(t.db, { afterId: s.id })).toEqual([]);
  });

  it("deletes a schedule and its run records", () => {
    const s = everyMinute();
    fireDueSchedules(t.db, T0);
    expect(deleteSchedule(t.db, s.id)).toBe(true);
    expect(runsOf(s.id)).toBe(0);
    expect(deleteSchedule(t.db, s.id)).toBe(false);
  });

  it("seeds the demo schedules once", () => {
    expect(seedDemoSchedules(t.db, T0)).toBe(4);
    expect(seedDemoSchedules(t.db, T0)).toBe(0);
    const names = listSchedules(t.db).map((s) => [
      s.name,
      s.task,
      new Date(s.nextRunAt!).toISOString(),
    ]);
    expect(names).toEqual([
      ["Hourly digest", "demo.echo", "2026-01-05T11:00:00.000Z"],
      ["Daily digest", "demo.echo", "2026-01-06T08:00:00.000Z"],
      ["Weekly digest", "demo.echo", "2026-01-12T08:00:00.000Z"],
      ["Nightly cleanup", "jobdeck.prune", "2026-01-06T04:00:00.000Z"],
    ]);
  });
});

describe("editing a schedule's rule", () => {
  const at = (iso: string) => Date.parse(iso);
  const isos = (list: number[]) => list.map((ms) => new Date(ms).toISOString());

  /** A schedule to edit: its type, next run and so on, and when it was created. */
  type Before = { createdAt: number } & Pick<
    ScheduleInput,
    "scheduleType" | "nextRunAt" | "timezone"
  >;
  /** An hourly schedule made half an hour before its next run. */
  const hourly = (nextRunAt: string, timezone = "UTC"): Before => ({
    scheduleType: "hourly",
    nextRunAt: at(nextRunAt),
    timezone,
    createdAt: at(nextRunAt) - 30 * MIN,
  });
  /** A daily schedule made the morning before. */
  const daily = (nextRunAt: string): Before => ({
    scheduleType: "daily",
    nextRunAt: at(nextRunAt),
    createdAt: at("2026-12-07T09:00:00Z"),
  });

  /**
   * One row per edit: the schedule before it, the patch and when it is saved, and the first runs
   * the preview must list (and the schedule then fire).
   */
  const EDITS: {
    name: string;
    before: Before;
    patch: SchedulePatch;
    now: string;
    runs: string[];
  }[] = [
    {
      name: "runs an hourly schedule changed to weekday cron at 17:22 Berlin from 17:30, as previewed",
      // Monday 2026-12-07; Berlin is UTC+1. The hourly schedule's next run is 18:00 Berlin.
      before: hourly("2026-12-07T17:00:00Z", "Europe/Berlin"),
      patch: { scheduleType: "cron", cron: "*/15 9-17 * * 1-5" },
      now: "2026-12-07T16:22:00Z",
      runs: [
        "2026-12-07T16:30:00.000Z",
        "2026-12-07T16:45:00.000Z",
        "2026-12-08T08:00:00.000Z",
        "2026-12-08T08:15:00.000Z",
        "2026-12-08T08:30:00.000Z",
      ],
    },
    {
      name: "runs an hourly schedule changed to `5 * * * *` at the next minute 5 from now",
      before: hourly("2026-12-07T17:30:00Z"),
      patch: { scheduleType: "cron", cron: "5 * * * *" },
      now: "2026-12-07T17:02:00Z",
      runs: ["2026-12-07T17:05:00.000Z", "2026-12-07T18:05:00.000Z"],
    },
    {
      name: "runs a daily 08:00 schedule changed to `30 7 * * *` tomorrow at 07:30",
      before: daily("2026-12-08T08:00:00Z"),
      patch: { scheduleType: "cron", cron: "30 7 * * *" },
      now: "2026-12-07T17:00:00Z",
      runs: ["2026-12-08T07:30:00.000Z", "2026-12-09T07:30:00.000Z"],
    },
    {
      name: "runs a daily 08:00 schedule changed to hourly from the next hour, not from tomorrow",
      before: daily("2026-12-08T08:00:00Z"),
      patch: { scheduleType: "hourly" },
      now: "2026-12-07T17:22:00Z",
      runs: ["2026-12-07T18:00:00.000Z", "2026-12-07T19:00:00.000Z"],
    },
    {
      name: "starts at the Next run the user sets",
      before: hourly("2026-12-07T17:00:00Z"),
      patch: { scheduleType: "cron", cron: "0 9 * * *", nextRunAt: at("2026-12-10T00:00:00Z") },
      now: "2026-12-07T16:22:00Z",
      runs: ["2026-12-10T09:00:00.000Z"],
    },
    {
      // Overdue by two hours with catch-up "once": one run now for the missed ones, then the series.
      name: "keeps the series when only the name changes",
      before: hourly("2026-12-07T17:10:00Z"),
      patch: { name: "renamed" },
      now: "2026-12-07T19:20:00Z",
      runs: ["2026-12-07T17:10:00.000Z", "2026-12-07T20:10:00.000Z", "2026-12-07T21:10:00.000Z"],
    },
  ];

  /** Previews the edit, saves it, fires at each previewed time: returns [preview, fired]. */
  function previewSaveAndFire(id: number, patch: SchedulePatch, now: number): [string[], string[]] {
    const preview = previewScheduleUpdate(t.db, id, patch, now, 5);
    if (!preview.ok) throw new Error(JSON.stringify(preview.fieldErrors));
    const saved = updateSchedule(t.db, id, patch, now);
    expect(saved.nextRunAt).toBe(preview.nextRuns[0]);
    for (const run of preview.nextRuns) fireDueSchedules(t.db, Math.max(run, now));
    return [isos(preview.nextRuns), isos(firedAt(id))];
  }

  it.each(EDITS)("$name", ({ before, patch, now, runs }) => {
    const { createdAt, ...rule } = before;
    const s = createSchedule(t.db, { name: "s", task: "demo.noop", ...rule }, createdAt);
    const [preview, fired] = previewSaveAndFire(s.id, patch, at(now));
    expect(preview.slice(0, runs.length)).toEqual(runs);
    expect(fired).toEqual(preview);
  });
});

describe("previewing an edit that keeps the series", () => {
  it("lists the runs a renamed monthly schedule will fire, from its clamped next run", () => {
    const jan31 = Date.parse("2026-01-31T08:00:00Z");
    const s = createSchedule(
      t.db,
      { name: "m", task: "demo.noop", scheduleType: "monthly", nextRunAt: jan31 },
      jan31 - MIN,
    );
    fireDueSchedules(t.db, jan31);
    const now = Date.parse("2026-02-10T00:00:00Z");
    const preview = previewScheduleUpdate(t.db, s.id, { name: "renamed" }, now, 3);
    if (!preview.ok) throw new Error("preview refused");
    updateSchedule(t.db, s.id, { name: "renamed" }, now);
    for (const run of preview.nextRuns) fireDueSchedules(t.db, run);
    expect(firedAt(s.id).filter((at) => at > jan31)).toEqual(preview.nextRuns);
    expect(new Date(preview.nextRuns[0]!).toISOString()).toBe("2026-02-28T08:00:00.000Z");
  });
});

describe("a first run on the second pass of a repeated hour", () => {
  it.each(["daily", "weekly"] as const)("fires a %s schedule first at that instant", (type) => {
    // 2026-11-01 01:30 America/New_York at -05:00: the second 01:30 of the night.
    const first = Date.parse("2026-11-01T06:30:00Z");
    const s = createSchedule(
      t.db,
      {
        name: type,
        task: "demo.noop",
        scheduleType: type,
        timezone: "America/New_York",
        nextRunAt: first,
      },
      first - 3 * 60 * MIN,
    );
    expect(s.nextRunAt).toBe(first);
    expect(fireDueSchedules(t.db, first).fired.map((r) => r.fireAt)).toEqual([first]);
    const next = getSchedule(t.db, s.id)!.nextRunAt!;
    expect(new Date(next).toISOString()).toBe(
      type === "daily" ? "2026-11-02T06:30:00.000Z" : "2026-11-08T06:30:00.000Z",
    );
  });
});
