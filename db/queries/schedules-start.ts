/**
 * Where a schedule's save starts its series (seriesStart), shared by the save and the form's
 * preview of an edit (previewScheduleUpdate), so the preview lists exactly the runs that follow.
 */
import { eq } from "drizzle-orm";
import type { Db } from "../client";
import { InputError } from "../errors";
import {
  newSeriesStart,
  previewSchedule,
  scheduleInputSchema,
  type ScheduleDefinition,
  type ScheduleInput,
  type SchedulePreview,
  type SeriesStart,
} from "../schedule-rules";
import { schedules, type ScheduleRow } from "../schema";
import { scheduleAnchor } from "./schedule-fire";

/** Fields of a schedule update; omitted fields keep their value. */
export type SchedulePatch = Partial<ScheduleInput>;

/** The fields of a schedule's definition, as its input schema lists them. */
const INPUT_FIELDS = Object.keys(scheduleInputSchema.shape) as (keyof ScheduleInput)[];

/** A saved row as a definition's input (to apply a patch over it). */
export function rowToInput(row: ScheduleRow): ScheduleInput {
  const input = Object.fromEntries(INPUT_FIELDS.map((field) => [field, row[field]]));
  // The row's columns carry the input's types (checked here), so only the keys need the cast.
  return input as Pick<ScheduleRow, keyof ScheduleInput>;
}

/** One schedule row by id; throws InputError (field "id") when there is none. */
export function getScheduleRow(db: Db, id: number): ScheduleRow {
  const row = db.select().from(schedules).where(eq(schedules.id, id)).get();
  if (!row) throw noSchedule(id);
  return row;
}

/** The error of an action on a schedule that is not there (any more). */
export function noSchedule(id: number): InputError {
  return new InputError(`No schedule with id ${id}`, "id");
}

const TIMING_FIELDS = ["scheduleType", "minutes", "cron", "timezone"] as const;

/**
 * Where saving `def` over `row` starts the series: at a Next run the patch sets; else, when the
 * timing changed or the schedule is switched on (or had no next run), at the new rule's first
 * time from now, in phase with the saved series (its time of day, minute, weekday); else the saved
 * series goes on. The form's preview uses the same start, so it shows what the save schedules.
 */
export function seriesStart(
  db: Db,
  row: ScheduleRow,
  def: ScheduleDefinition,
  patch: SchedulePatch,
  now: number,
): SeriesStart {
  return seriesStartWith(row, def, patch, now, (at) => scheduleAnchor(db, row, at));
}

/** seriesStart with the series' anchor from `anchor(row.nextRunAt)` (pure; both dialects). */
export function seriesStartWith(
  row: ScheduleRow,
  def: ScheduleDefinition,
  patch: SchedulePatch,
  now: number,
  anchor: (nextRunAt: number) => number,
): SeriesStart {
  if (patch.nextRunAt !== undefined) return newSeriesStart(def, now);
  if (row.nextRunAt === null) return { from: "now", anchorAt: now };
  const anchorAt = anchor(row.nextRunAt);
  const isTimingChanged = TIMING_FIELDS.some((f) => def[f] !== row[f]);
  if (isTimingChanged) return { from: "now", anchorAt };
  // Switched on: the runs missed while off are skipped, as setScheduleEnabled does.
  if (def.isEnabled && !row.isEnabled && row.nextRunAt < now) return { from: "now", anchorAt };
  return { from: "saved", nextRunAt: row.nextRunAt };
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
