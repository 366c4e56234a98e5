/**
 * Periodic schedules: create, update, enable/disable, delete, run now, read with next and last
 * runs, and the scheduler's fireDueSchedules (schedule-fire.ts). Every write validates the whole
 * definition first (schedule-rules.ts) and throws InputError naming the field; nothing is saved then.
 */
import { asc, eq, gt } from "drizzle-orm";
import type { Db } from "../client";
import { InputError } from "../errors";
import {
  newSeriesStart,
  parseSchedule,
  plannedRuns,
  type ScheduleDefinition,
  type ScheduleInput,
  type SeriesStart,
} from "../schedule-rules";
import { jobs, results, schedules, type JobStatus, type ScheduleRow } from "../schema";
import { insertJobs, toJobValues } from "./enqueue";
import type { JobValues } from "./insert-jobs";
import { scheduleAnchor } from "./schedule-fire";
import { getScheduleRow, rowToInput, seriesStart, type SchedulePatch } from "./schedules-start";
import { assertArgsMatchSchemas, assertKnownTasks } from "./tasks";

export {
  fireDueSchedules,
  fireSchedule,
  listDueScheduleIds,
  pruneScheduleRuns,
  type FireOptions,
  type FireReport,
  type FiredRun,
} from "./schedule-fire";
export { seedDemoSchedules } from "./schedule-seed";
export { getScheduleRow, previewScheduleUpdate, type SchedulePatch } from "./schedules-start";

/** How the last run went: the job's state while live, its result once finished, "unknown" if pruned. */
export type LastRunOutcome = JobStatus | "unknown";

/** A schedule with its last run, as lists and the CLI show it. */
export interface ScheduleView extends ScheduleRow {
  lastRun: { jobId: number; at: number | null; outcome: LastRunOutcome } | null;
}

function validated(db: Db, input: unknown): ScheduleDefinition {
  const def = parseSchedule(input);
  assertKnownTasks(db, [def.task]);
  assertArgsMatchSchemas(db, [def]);
  return def;
}

function isUniqueNameError(error: unknown): boolean {
  const e = error as { code?: string; message?: string };
  return e.code === "SQLITE_CONSTRAINT_UNIQUE" && (e.message ?? "").includes("schedules.name");
}

export function nameTaken(name: string): InputError {
  return new InputError(`A schedule named "${name}" already exists`, "name");
}

/** The first run a save schedules (null: none, the schedule is then saved disabled). */
export function firstPlannedRun(
  def: ScheduleDefinition,
  start: SeriesStart,
  now: number,
): number | null {
  return plannedRuns(def, start, now, 1)[0] ?? null;
}

/** A new schedule's column values from its validated definition: the first run planned from `now`. */
export function newScheduleValues(def: ScheduleDefinition, now: number) {
  const nextRunAt = firstPlannedRun(def, newSeriesStart(def, now), now);
  return {
    ...def,
    nextRunAt,
    isEnabled: isSavedEnabled(def, nextRunAt),
    createdAt: now,
    updatedAt: now,
  };
}

/** Creates a schedule; its first run is `nextRunAt` (default now; for cron the first time at or after it). */
export function createSchedule(db: Db, input: ScheduleInput, now = Date.now()): ScheduleRow {
  const def = validated(db, input);
  try {
    return db.$client
      .transaction(() => db.insert(schedules).values(newScheduleValues(def, now)).returning().get())
      .immediate();
  } catch (error) {
    if (isUniqueNameError(error)) throw nameTaken(def.name);
    throw error;
  }
}

/** Whether a save leaves the schedule enabled: asked to be, and with a run to make. */
export function isSavedEnabled(def: ScheduleDefinition, nextRunAt: number | null): boolean {
  return def.isEnabled && nextRunAt !== null;
}

/**
 * Reads schedule `id`, writes the values `change` makes of it and returns the saved row, in one
 * IMMEDIATE transaction, so a scheduler firing meanwhile is never overwritten. Throws InputError
 * when there is no such schedule or a new name is taken.
 */
function changeSchedule(
  db: Db,
  id: number,
  change: (row: ScheduleRow) => Partial<typeof schedules.$inferInsert>,
): ScheduleRow {
  const save = () => {
    const values = change(getScheduleRow(db, id));
    try {
      return db.update(schedules).set(values).where(eq(schedules.id, id)).returning().get()!;
    } catch (error) {
      if (values.name !== undefined && isUniqueNameError(error)) throw nameTaken(values.name);
      throw error;
    }
  };
  return db.$client.transaction(save).immediate();
}

/** Updates some fields of a schedule (validating the result) in one transaction; returns the saved row. */
export function updateSchedule(
  db: Db,
  id: number,
  patch: SchedulePatch,
  now = Date.now(),
): ScheduleRow {
  return changeSchedule(db, id, (row) => {
    const def = validated(db, { ...rowToInput(row), ...patch });
    const nextRunAt = firstPlannedRun(def, seriesStart(db, row, def, patch, now), now);
    return { ...def, nextRunAt, isEnabled: isSavedEnabled(def, nextRunAt), updatedAt: now };
  });
}

function enabledNextRun(db: Db, row: ScheduleRow, now: number): number | null {
  return enabledNextRunWith(row, now, (at) => scheduleAnchor(db, row, at));
}

/** The next run of a schedule being enabled, its anchor from `anchor` (pure; both dialects). */
export function enabledNextRunWith(
  row: ScheduleRow,
  now: number,
  anchor: (nextRunAt: number) => number,
): number | null {
  if (row.repeats === 0) {
    throw new InputError(
      "This schedule is finished (repeats 0); set repeats to run it again",
      "repeats",
    );
  }
  const anchorAt = row.nextRunAt === null ? now : anchor(row.nextRunAt);
  const def = parseSchedule(rowToInput(row));
  // Runs missed while disabled are skipped: the series' next time from now, never before its anchor.
  return firstPlannedRun(def, { from: "now", anchorAt }, Math.max(now, anchorAt));
}

/**
 * Enables or disables a schedule. Enabling skips the runs missed while disabled: the next run is
 * the series' next time from now. A finished schedule (repeats 0) needs new repeats first.
 */
export function setScheduleEnabled(
  db: Db,
  id: number,
  isEnabled: boolean,
  now = Date.now(),
): ScheduleRow {
  // updated_at is left alone: it marks definition changes, from which the series is anchored.
  return changeSchedule(db, id, (row) => ({
    isEnabled,
    nextRunAt: isEnabled ? enabledNextRun(db, row, now) : row.nextRunAt,
  }));
}

/** Deletes a schedule and its run records (jobs it created stay); false when there was none. */
export function deleteSchedule(db: Db, id: number): boolean {
  return db.$client
    .transaction(
      () => db.$client.prepare(`DELETE FROM schedules WHERE id = ?`).run(id).changes === 1,
    )
    .immediate();
}

/** Enqueues one job of the schedule now, leaving next run and repeats alone; returns the job id. */
export function runScheduleNow(db: Db, id: number, now = Date.now()): number {
  const row = getScheduleRow(db, id);
  const job = scheduleJobValues(row, now);
  assertKnownTasks(db, [row.task]);
  return db.$client
    .transaction(() => {
      const jobId = insertJobs(db, [job])[0]!;
      db.$client
        .prepare(`UPDATE schedules SET last_run_at = ?, last_job_id = ? WHERE id = ?`)
        .run(now, jobId, id);
      return jobId;
    })
    .immediate();
}

/** The job a schedule's run enqueues (validated like any enqueue). */
export function scheduleJobValues(
  row: Pick<ScheduleRow, "id" | "name" | "task" | "args" | "queue" | "priority">,
  now: number,
): JobValues {
  return toJobValues(
    {
      task: row.task,
      args: JSON.parse(row.args) as unknown,
      options: { name: row.name, queue: row.queue, priority: row.priority, scheduleId: row.id },
    },
    now,
  );
}

/** One schedule by id or name, or null. */
export function getSchedule(db: Db, idOrName: number | string): ScheduleView | null {
  const where =
    typeof idOrName === "number" ? eq(schedules.id, idOrName) : eq(schedules.name, idOrName);
  return selectViews(db).where(where).all().map(toView)[0] ?? null;
}

/** Schedules by id with their last run, keyset-paginated: pass the last id seen as `afterId` (default limit 100). */
export function listSchedules(
  db: Db,
  { afterId = 0, limit = 100 }: { afterId?: number; limit?: number } = {},
): ScheduleView[] {
  return selectViews(db)
    .where(gt(schedules.id, afterId))
    .orderBy(asc(schedules.id))
    .limit(limit)
    .all()
    .map(toView);
}

function selectViews(db: Db) {
  return db
    .select({ schedule: schedules, resultState: results.state, jobState: jobs.state })
    .from(schedules)
    .leftJoin(results, eq(results.id, schedules.lastJobId))
    .leftJoin(jobs, eq(jobs.id, schedules.lastJobId))
    .$dynamic();
}

/** A schedule row with its last job's state (live or finished) as a ScheduleView. */
export function toView(r: {
  schedule: ScheduleRow;
  resultState: string | null;
  jobState: string | null;
}): ScheduleView {
  const s = r.schedule;
  const outcome = (r.resultState ?? r.jobState ?? "unknown") as LastRunOutcome;
  return {
    ...s,
    lastRun: s.lastJobId === null ? null : { jobId: s.lastJobId, at: s.lastRunAt, outcome },
  };
}
