/**
 * The scheduler's core: turn due schedules into jobs, exactly once per (schedule, fire time).
 *
 * Each schedule fires in its own short BEGIN IMMEDIATE transaction that re-reads the row, inserts
 * the `schedule_runs` row first (its primary key is the exactly-once guard: a conflict means
 * another worker already fired that time, and then no job is inserted), then the job, then
 * advances `next_run_at` and counts `repeats` down. Several workers may run this at once.
 */
import type { Db } from "../client";
import type { ScheduleType } from "../schema";
import { isCalendarType, nextFireTime, type ScheduleTiming } from "../schedule-times";
import { insertJobs, toJobValues } from "./enqueue";
import type { JobValues } from "./insert-jobs";

/** Options of fireDueSchedules. */
export interface FireOptions {
  /** Most runs one schedule fires per call under catch-up "all" (default 100; the rest next call). */
  maxPerSchedule?: number;
  /** Most schedules looked at per call (default 500). */
  limit?: number;
}

/** One job created by the scheduler. */
export interface FiredRun {
  scheduleId: number;
  fireAt: number;
  jobId: number;
}

/** What one fireDueSchedules call did; `errors` holds schedules that could not fire (kept due). */
export interface FireReport {
  fired: FiredRun[];
  skipped: number;
  errors: { scheduleId: number; error: Error }[];
}

/** A due schedule as the firing reads it (both dialects). */
export interface DueRow {
  id: number;
  name: string;
  task: string;
  args: string;
  scheduleType: ScheduleTiming["scheduleType"];
  minutes: number | null;
  cron: string | null;
  timezone: string;
  repeats: number;
  nextRunAt: number;
  queue: string;
  priority: number;
  catchUp: "once" | "all";
  updatedAt: number;
}

const SELECT_DUE_ROW = `SELECT id, name, task, args, schedule_type AS scheduleType, minutes, cron, timezone,
  repeats, next_run_at AS nextRunAt, queue, priority, catch_up AS catchUp, updated_at AS updatedAt
  FROM schedules WHERE id = ? AND is_enabled = 1 AND repeats <> 0 AND next_run_at IS NOT NULL AND next_run_at <= ?`;

/** Ids of enabled schedules due at `now`, oldest due first (served by schedules_due_idx). */
export function listDueScheduleIds(db: Db, now: number, limit = 500): number[] {
  return db.$client
    .prepare(
      `SELECT id FROM schedules WHERE is_enabled = 1 AND next_run_at <= ? ORDER BY next_run_at LIMIT ?`,
    )
    .pluck()
    .all(now, limit) as number[];
}

/**
 * The anchor of a schedule's series: its first fire since its definition last changed, else its
 * next run. Computing every occurrence from it keeps Jan 31 monthly on the 31st after February and
 * a daily 02:30 at 02:30 after a DST gap moved one run to 03:30. Only the wall-clock (calendar)
 * types need it; any point of a fixed-step or cron series gives the same series.
 */
export function scheduleAnchor(
  db: Db,
  schedule: { id: number; scheduleType: ScheduleType; updatedAt: number },
  nextRunAt: number,
): number {
  if (!isCalendarType(schedule.scheduleType)) return nextRunAt;
  // Served by the primary key (schedule_id, fire_at); stops at the first run since the edit.
  const first = db.$client
    .prepare(
      `SELECT fire_at FROM schedule_runs WHERE schedule_id = ? AND created_at >= ? ORDER BY fire_at LIMIT 1`,
    )
    .pluck()
    .get(schedule.id, schedule.updatedAt) as number | undefined;
  return first ?? nextRunAt;
}

/** The fire times to run now, and the next run after them (null: the series is over; pure). */
export function plan(
  row: DueRow,
  timing: ScheduleTiming,
  now: number,
  max: number,
): { times: number[]; next: number | null } {
  if (row.catchUp === "once") {
    // One run for the whole missed period, carrying the first missed time; then the next future time.
    return { times: [row.nextRunAt], next: nextFireTime(timing, Math.max(now, row.nextRunAt) + 1) };
  }
  const budget = row.repeats < 0 ? max : Math.min(max, row.repeats);
  const times: number[] = [];
  let at: number | null = row.nextRunAt;
  while (at !== null && at <= now && times.length < budget) {
    times.push(at);
    at = nextFireTime(timing, at + 1);
  }
  return { times, next: at };
}

/** The job a schedule's run enqueues (pure; both dialects). */
export function scheduledJob(row: DueRow, now: number): JobValues {
  return toJobValues(
    {
      task: row.task,
      args: JSON.parse(row.args) as unknown,
      options: { name: row.name, queue: row.queue, priority: row.priority, scheduleId: row.id },
    },
    now,
  );
}

/**
 * The schedule's row after a firing that created `fired` (pure; both dialects): its next run
 * (null when the series is over), repeats left, whether it stays enabled, its last run and job.
 */
export function afterFire(row: DueRow, fired: FiredRun[], next: number | null, now: number) {
  const repeats = row.repeats < 0 ? row.repeats : Math.max(0, row.repeats - fired.length);
  const isOver = repeats === 0 || next === null;
  const last = fired.at(-1);
  return {
    nextRunAt: isOver ? null : next,
    repeats: row.scheduleType === "once" ? 0 : repeats,
    isEnabled: !isOver,
    lastRunAt: last ? now : null,
    lastJobId: last?.jobId ?? null,
  };
}

function insertRun(db: Db, row: DueRow, fireAt: number, now: number): number | null {
  const claimed = db.$client
    .prepare(
      `INSERT INTO schedule_runs (schedule_id, fire_at, job_id, created_at) VALUES (?, ?, 0, ?)
       ON CONFLICT (schedule_id, fire_at) DO NOTHING`,
    )
    .run(row.id, fireAt, now);
  if (claimed.changes === 0) return null;
  const jobId = insertJobs(db, [scheduledJob(row, now)])[0]!;
  db.$client
    .prepare(`UPDATE schedule_runs SET job_id = ? WHERE schedule_id = ? AND fire_at = ?`)
    .run(jobId, row.id, fireAt);
  return jobId;
}

/** Fires one schedule if it is still due (inside BEGIN IMMEDIATE); returns the runs created. */
export function fireSchedule(
  db: Db,
  scheduleId: number,
  now: number,
  options: FireOptions = {},
): { fired: FiredRun[]; skipped: number } {
  return db.$client
    .transaction(() => {
      const row = db.$client.prepare(SELECT_DUE_ROW).get(scheduleId, now) as DueRow | undefined;
      if (!row) return { fired: [], skipped: 0 };
      const anchorAt = scheduleAnchor(db, row, row.nextRunAt);
      const timing: ScheduleTiming = { ...row, anchorAt };
      const { times, next } = plan(row, timing, now, options.maxPerSchedule ?? 100);
      const fired: FiredRun[] = [];
      let skipped = 0;
      for (const fireAt of times) {
        const jobId = insertRun(db, row, fireAt, now);
        if (jobId === null) skipped += 1;
        else fired.push({ scheduleId: row.id, fireAt, jobId });
      }
      const after = afterFire(row, fired, next, now);
      db.$client
        .prepare(
          `UPDATE schedules SET next_run_at = ?, repeats = ?, is_enabled = ?,
             last_run_at = COALESCE(?, last_run_at), last_job_id = COALESCE(?, last_job_id) WHERE id = ?`,
        )
        .run(
          after.nextRunAt,
          after.repeats,
          after.isEnabled ? 1 : 0,
          after.lastRunAt,
          after.lastJobId,
          row.id,
        );
      return { fired, skipped };
    })
    .immediate();
}

/** Fires every enabled schedule due at `now` (default: the clock); one bad schedule never stops the rest. */
export function fireDueSchedules(db: Db, now = Date.now(), options: FireOptions = {}): FireReport {
  const report: FireReport = { fired: [], skipped: 0, errors: [] };
  for (const id of listDueScheduleIds(db, now, options.limit)) {
    try {
      addFired(report, fireSchedule(db, id, now, options));
    } catch (error) {
      addFireError(report, id, error);
    }
  }
  return report;
}

/** Adds one schedule's firing to a report (both dialects). */
export function addFired(report: FireReport, r: Pick<FireReport, "fired" | "skipped">): void {
  report.fired.push(...r.fired);
  report.skipped += r.skipped;
}

/** Records a schedule whose firing failed: one bad schedule never stops the rest (both dialects). */
export function addFireError(report: FireReport, scheduleId: number, error: unknown): void {
  report.errors.push({
    scheduleId,
    error: error instanceof Error ? error : new Error(String(error)),
  });
}

/** How long run records of fixed-step and cron schedules are kept (default 7 days). */
export const SCHEDULE_RUNS_KEEP_MS = 7 * 24 * 60 * 60 * 1000;

/** The schedule types whose old runs are pruned (SQL list; calendar types keep theirs). */
export const RUNS_PRUNED_TYPES = `'once', 'minutes', 'hourly', 'cron'`;

/**
 * Deletes old `schedule_runs` rows of once, minutes, hourly and cron schedules (fired before
 * `now - keepMs`), in batches; returns how many. They only guard fire times long past, which
 * next_run_at never returns to. Calendar schedules keep theirs (at most one a day): their first
 * run since the last edit anchors the series.
 */
export function pruneScheduleRuns(
  db: Db,
  now = Date.now(),
  keepMs = SCHEDULE_RUNS_KEEP_MS,
): number {
  const batch = db.$client.prepare(
    `DELETE FROM schedule_runs WHERE rowid IN (
       SELECT r.rowid FROM schedule_runs r JOIN schedules s ON s.id = r.schedule_id
       WHERE r.fire_at < ? AND s.schedule_type IN (${RUNS_PRUNED_TYPES}) LIMIT 5000)`,
  );
  let total = 0;
  for (;;) {
    const { changes } = db.$client.transaction(() => batch.run(now - keepMs)).immediate();
    total += changes;
    if (changes < 5000) return total;
  }
}
