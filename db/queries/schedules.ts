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
  previewSchedule,
  type ScheduleDefinition,
  type ScheduleInput,
  type SchedulePreview,
  type SeriesStart,
} from "../schedule-rules";
import { jobs, results, schedules, type ScheduleRow } from "../schema";
import { insertJobs, toJobValues } from "./enqueue";
import { scheduleAnchor } from "./schedule-fire";
import { assertKnownTasks } from "./tasks";

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

/** How the last run went: the job's state while live, its result once finished, "unknown" if pruned. */
export type LastRunOutcome = "queued" | "running" | "success" | "failure" | "unknown";

/** A schedule with its last run, as lists and the CLI show it. */
export interface ScheduleView extends ScheduleRow {
  lastRun: { jobId: number; at: number | null; outcome: LastRunOutcome } | null;
}

/** Fields of a schedule update; omitted fields keep their value. */
export type SchedulePatch = Partial<ScheduleInput>;

function rowToInput(row: ScheduleRow): ScheduleInput {
  const {
    name,
    task,
    args,
    scheduleType,
    minutes,
    cron,
    timezone,
    repeats,
    nextRunAt,
    isEnabled,
    queue,
    priority,
    catchUp,
  } = row;
  return {
    name,
    task,
    args,
    scheduleType,
    minutes,
    cron,
    timezone,
    repeats,
    nextRunAt,
    isEnabled,
    queue,
    priority,
    catchUp,
  };
}

function validated(db: Db, input: unknown): ScheduleDefinition {
  const def = parseSchedule(input);
  assertKnownTasks(db, [def.task]);
  return def;
}

function isUniqueNameError(error: unknown): boolean {
  const e = error as { code?: string; message?: string };
  return e.code === "SQLITE_CONSTRAINT_UNIQUE" && (e.message ?? "").includes("schedules.name");
}

function nameTaken(name: string): InputError {
  return new InputError(`A schedule named "${name}" already exists`, "name");
}

/** The first run a save schedules (null: none, the schedule is then saved disabled). */
function firstPlannedRun(def: ScheduleDefinition, start: SeriesStart, now: number): number | null {
  return plannedRuns(def, start, now, 1)[0] ?? null;
}

/** Creates a schedule; its first run is `nextRunAt` (default now; for cron the first time at or after it). */
export function createSchedule(db: Db, input: ScheduleInput, now = Date.now()): ScheduleRow {
  const def = validated(db, input);
  const nextRunAt = firstPlannedRun(def, newSeriesStart(def, now), now);
  try {
    return db.$client
      .transaction(() =>
        db
          .insert(schedules)
          .values({
            ...def,
            nextRunAt,
            isEnabled: def.isEnabled && nextRunAt !== null,
            createdAt: now,
            updatedAt: now,
          })
          .returning()
          .get(),
      )
      .immediate();
  } catch (error) {
    if (isUniqueNameError(error)) throw nameTaken(def.name);
    throw error;
  }
}

const TIMING_FIELDS = ["scheduleType", "minutes", "cron", "timezone"] as const;

/**
 * Where saving `def` over `row` starts the series: at a Next run the patch sets; else, when the
 * timing changed or the schedule is switched on (or had no next run), at the new rule's first
 * time from now, in phase with the saved series (its time of day, minute, weekday); else the saved
 * series goes on. The form's preview uses the same start, so it shows what the save schedules.
 */
function seriesStart(
  db: Db,
  row: ScheduleRow,
  def: ScheduleDefinition,
  patch: SchedulePatch,
  now: number,
): SeriesStart {
  if (patch.nextRunAt !== undefined) return newSeriesStart(def, now);
  if (row.nextRunAt === null) return { from: "now", anchorAt: now };
  const anchorAt = scheduleAnchor(db, row, row.nextRunAt);
  const isTimingChanged = TIMING_FIELDS.some((f) => def[f] !== row[f]);
  if (isTimingChanged) return { from: "now", anchorAt };
  // Switched on: the runs missed while off are skipped, as setScheduleEnabled does.
  if (def.isEnabled && !row.isEnabled && row.nextRunAt < now) return { from: "now", anchorAt };
  return { from: "saved", nextRunAt: row.nextRunAt, anchorAt };
}

/** The saved row and its definition after applying `patch` (validated; throws InputError). */
function patched(db: Db, id: number, patch: SchedulePatch) {
  const row = getScheduleRow(db, id);
  return { row, def: validated(db, { ...rowToInput(row), ...patch }) };
}

/**
 * What saving `patch` over schedule `id` at `now` would do, without saving: the rule in words and
 * the next `k` runs (default 5), or the timing errors. The form's preview while editing.
 */
export function previewScheduleUpdate(
  db: Db,
  id: number,
  patch: SchedulePatch,
  now = Date.now(),
  k = 5,
): SchedulePreview {
  const row = getScheduleRow(db, id);
  return previewSchedule({ ...rowToInput(row), ...patch }, now, k, (def) =>
    seriesStart(db, row, def, patch, now),
  );
}

/**
 * Updates some fields of a schedule (validating the result); returns the saved row. The read and
 * the write share one IMMEDIATE transaction, so a scheduler firing meanwhile is never overwritten.
 */
export function updateSchedule(
  db: Db,
  id: number,
  patch: SchedulePatch,
  now = Date.now(),
): ScheduleRow {
  const save = () => {
    const { row, def } = patched(db, id, patch);
    const nextRunAt = firstPlannedRun(def, seriesStart(db, row, def, patch, now), now);
    try {
      return db
        .update(schedules)
        .set({ ...def, nextRunAt, isEnabled: def.isEnabled && nextRunAt !== null, updatedAt: now })
        .where(eq(schedules.id, id))
        .returning()
        .get()!;
    } catch (error) {
      if (isUniqueNameError(error)) throw nameTaken(def.name);
      throw error;
    }
  };
  return db.$client.transaction(save).immediate();
}

function enabledNextRun(db: Db, row: ScheduleRow, now: number): number | null {
  if (row.repeats === 0) {
    throw new InputError(
      "This schedule is finished (repeats 0); set repeats to run it again",
      "repeats",
    );
  }
  const anchorAt = row.nextRunAt === null ? now : scheduleAnchor(db, row, row.nextRunAt);
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
  const save = () => {
    const row = getScheduleRow(db, id);
    const nextRunAt = isEnabled ? enabledNextRun(db, row, now) : row.nextRunAt;
    // updated_at is left alone: it marks definition changes, from which the series is anchored.
    return db
      .update(schedules)
      .set({ isEnabled, nextRunAt })
      .where(eq(schedules.id, id))
      .returning()
      .get()!;
  };
  return db.$client.transaction(save).immediate();
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
  const job = toJobValues(
    {
      task: row.task,
      args: JSON.parse(row.args) as unknown,
      options: { name: row.name, queue: row.queue, priority: row.priority, scheduleId: row.id },
    },
    now,
  );
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

/** One schedule by id or name, or null. */
export function getSchedule(db: Db, idOrName: number | string): ScheduleView | null {
  const where =
    typeof idOrName === "number" ? eq(schedules.id, idOrName) : eq(schedules.name, idOrName);
  return selectViews(db).where(where).all().map(toView)[0] ?? null;
}

/** Like getSchedule by id, but throws InputError (field "id") when there is none. */
export function getScheduleRow(db: Db, id: number): ScheduleRow {
  const row = db.select().from(schedules).where(eq(schedules.id, id)).get();
  if (!row) throw new InputError(`No schedule with id ${id}`, "id");
  return row;
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

function toView(r: {
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
