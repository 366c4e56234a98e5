/**
 * When a schedule fires: pure occurrence arithmetic (no database), shared by the scheduler and the
 * dashboard's form preview. Re-exported by schedule-rules.ts.
 *
 * Every non-cron schedule is a series anchored on its first run time (`anchorAt`):
 * - `minutes` and `hourly` are fixed durations in absolute time (every N x 60 s), so DST changes
 *   neither shift nor duplicate them.
 * - `daily` and longer keep the anchor's local wall-clock time in the schedule's IANA timezone.
 *   Occurrence n is computed from the anchor (never from the previous run), so a monthly series
 *   from Jan 31 runs Feb 28 (29 in leap years), then Mar 31 again; a yearly one from Feb 29 runs
 *   Feb 28 in common years (dateutil's relativedelta rule, as Django-Q).
 * - DST rule: a local time that does not exist (spring forward) moves forward by the length of the
 *   gap (02:30 -> 03:30); a local time that occurs twice (fall back) fires once, at the first
 *   occurrence (the earlier instant). The first run is the anchor instant itself, even on the
 *   second pass of a repeated hour.
 * `cron` uses croner (5 fields) in the timezone: a fixed-time job in the gap runs at the first valid
 * time after it (02:30 -> 03:00) and once on a repeated time; interval jobs skip times in the gap.
 */
import { Cron } from "croner";
import { DateTime } from "luxon";
import type { ScheduleType } from "./schema";

/** The timing part of a schedule: enough to compute its fire times. */
export interface ScheduleTiming {
  scheduleType: ScheduleType;
  /** Every N minutes (type `minutes`). */
  minutes?: number | null;
  /** 5-field cron expression (type `cron`). */
  cron?: string | null;
  /** IANA timezone (default UTC). */
  timezone?: string | null;
  /** First run time (ms epoch): the anchor of non-cron series. Ignored by cron. */
  anchorAt: number;
}

const MINUTE_MS = 60_000;

/**
 * Calendar step of the wall-clock types (days or months); null for the others. Every type is
 * listed, so a new schedule type is a compile error here until it says which it is.
 */
const CALENDAR_STEPS: Record<ScheduleType, { days?: number; months?: number } | null> = {
  once: null,
  minutes: null,
  hourly: null,
  cron: null,
  daily: { days: 1 },
  weekly: { days: 7 },
  biweekly: { days: 14 },
  monthly: { months: 1 },
  bimonthly: { months: 2 },
  quarterly: { months: 3 },
  yearly: { months: 12 },
};

/** Whether a type keeps a wall-clock time in its timezone (daily and longer). */
export function isCalendarType(type: ScheduleType): boolean {
  return CALENDAR_STEPS[type] !== null;
}

/** Parses a 5-field cron expression with croner; throws croner's error when it is invalid. */
export function parseCron(expression: string, timezone = "UTC"): Cron {
  return new Cron(expression, { timezone, mode: "5-part", paused: true });
}

/** Wall-clock fields as if they were UTC: calendar arithmetic without DST in the way. */
function wallAsUtc(ms: number, zone: string): DateTime {
  const local = DateTime.fromMillis(ms, { zone });
  return DateTime.fromObject(
    {
      year: local.year,
      month: local.month,
      day: local.day,
      hour: local.hour,
      minute: local.minute,
      second: local.second,
      millisecond: local.millisecond,
    },
    { zone: "UTC" },
  );
}

/** Resolves wall-clock fields to an instant in `zone` by the DST rule above. */
export function resolveLocal(wall: DateTime, zone: string): number {
  const fields = {
    year: wall.year,
    month: wall.month,
    day: wall.day,
    hour: wall.hour,
    minute: wall.minute,
    second: wall.second,
    millisecond: wall.millisecond,
  };
  // luxon moves a non-existent time forward by the gap, and picks one offset for a repeated time.
  const dt = DateTime.fromObject(fields, { zone });
  const ms = dt.toMillis();
  // A repeated time: prefer the earlier instant if it shows the same wall clock.
  for (const shift of [60, 30, 120]) {
    const earlier = DateTime.fromMillis(ms - shift * MINUTE_MS, { zone });
    if (earlier.hour === dt.hour && earlier.minute === dt.minute && earlier.day === dt.day) {
      return earlier.toMillis();
    }
  }
  return ms;
}

function calendarOccurrence(
  t: ScheduleTiming,
  anchorWall: DateTime,
  step: { days?: number; months?: number },
  n: number,
): number {
  // The anchor is an instant: a first run on the second pass of a repeated hour stays there.
  if (n === 0) return t.anchorAt;
  const wall = step.months
    ? anchorWall.plus({ months: step.months * n })
    : anchorWall.plus({ days: (step.days ?? 1) * n });
  return resolveLocal(wall, t.timezone ?? "UTC");
}

/** Index of the occurrence one step before the one at or after `fromWall` (negative: before the anchor). */
function stepsBefore(
  anchorWall: DateTime,
  fromWall: DateTime,
  step: { days?: number; months?: number },
): number {
  return step.months
    ? Math.floor(
        ((fromWall.year - anchorWall.year) * 12 + fromWall.month - anchorWall.month) / step.months,
      ) - 1
    : Math.floor(fromWall.diff(anchorWall, "days").days / (step.days ?? 1)) - 1;
}

/** Calendar occurrences at or after `fromMs`, from index `minIndex` on (-Infinity: before the anchor too). */
function calendarTimes(
  t: ScheduleTiming,
  step: { days?: number; months?: number },
  fromMs: number,
  k: number,
  minIndex = 0,
): number[] {
  const zone = t.timezone ?? "UTC";
  const anchorWall = wallAsUtc(t.anchorAt, zone);
  // Estimate the first index at or after `from`, one step early, then walk forward.
  let n = Math.max(minIndex, stepsBefore(anchorWall, wallAsUtc(fromMs, zone), step));
  const out: number[] = [];
  while (out.length < k) {
    const at = calendarOccurrence(t, anchorWall, step, n);
    if (at >= fromMs) out.push(at);
    n += 1;
  }
  return out;
}

function fixedTimes(anchorAt: number, stepMs: number, fromMs: number, k: number): number[] {
  const first = Math.max(0, Math.ceil((fromMs - anchorAt) / stepMs));
  return Array.from({ length: k }, (_, i) => anchorAt + (first + i) * stepMs);
}

function cronTimes(t: ScheduleTiming, fromMs: number, k: number): number[] {
  const job = parseCron(t.cron ?? "", t.timezone ?? "UTC");
  // croner's nextRun is strictly after its argument; one millisecond earlier makes it "at or after".
  // The series starts at the anchor (a "Next run" given in the future).
  const from = Math.max(fromMs, t.anchorAt);
  return job.nextRuns(k, new Date(from - 1)).map((d) => d.getTime());
}

/** The next `k` fire instants (ms epoch) at or after `fromMs`; fewer when the series ends (`once`). */
export function nextFireTimes(timing: ScheduleTiming, fromMs: number, k: number): number[] {
  if (k <= 0) return [];
  switch (timing.scheduleType) {
    case "once":
      return timing.anchorAt >= fromMs ? [timing.anchorAt] : [];
    case "minutes":
      return fixedTimes(timing.anchorAt, Math.max(1, timing.minutes ?? 1) * MINUTE_MS, fromMs, k);
    case "hourly":
      return fixedTimes(timing.anchorAt, 60 * MINUTE_MS, fromMs, k);
    case "cron":
      return cronTimes(timing, fromMs, k);
    default: {
      const step = CALENDAR_STEPS[timing.scheduleType];
      if (!step) throw new Error(`Unhandled schedule type ${timing.scheduleType}`);
      return calendarTimes(timing, step, fromMs, k);
    }
  }
}

/**
 * The first time at or after `fromMs` of the series through `anchorAt`, reaching before the anchor
 * when `fromMs` is earlier: the anchor only gives the phase (minute, time of day, weekday, date).
 * Used when a rule changes: the next run is the new rule's first time from now. A `once` whose time
 * has passed runs at `fromMs`; null when a cron never fires.
 */
export function firstTimeFrom(timing: ScheduleTiming, fromMs: number): number | null {
  const step = CALENDAR_STEPS[timing.scheduleType];
  switch (timing.scheduleType) {
    case "once":
      return Math.max(timing.anchorAt, fromMs);
    case "minutes":
    case "hourly": {
      const stepMs =
        (timing.scheduleType === "hourly" ? 60 : Math.max(1, timing.minutes ?? 1)) * MINUTE_MS;
      return timing.anchorAt + Math.ceil((fromMs - timing.anchorAt) / stepMs) * stepMs;
    }
    case "cron":
      return cronTimes({ ...timing, anchorAt: fromMs }, fromMs, 1)[0] ?? null;
    default:
      if (!step) throw new Error(`Unhandled schedule type ${timing.scheduleType}`);
      return calendarTimes(timing, step, fromMs, 1, -Infinity)[0] ?? null;
  }
}

/** The first fire instant at or after `fromMs`, or null when the series has ended. */
export function nextFireTime(timing: ScheduleTiming, fromMs: number): number | null {
  return nextFireTimes(timing, fromMs, 1)[0] ?? null;
}
