/**
 * Schedules on PostgreSQL: create, update, enable/disable, run now, delete, list (the plain
 * changes of db/queries/schedules.ts). The rules (validation, where a series starts, what
 * enabling skips, the job a run enqueues) are the SQLite module's pure functions; only the SQL is
 * here. A change reads its row `FOR UPDATE` inside the caller's transaction, so a scheduler
 * firing the schedule meanwhile is never overwritten (and waits for the change, or the other way).
 */
import { getTableColumns } from "drizzle-orm";
import {
  enabledNextRunWith,
  firstPlannedRun,
  isSavedEnabled,
  nameTaken,
  scheduleJobValues,
} from "../../queries/schedules";
import { rowToInput, seriesStartWith, type SchedulePatch } from "../../queries/schedules-start";
import {
  newSeriesStart,
  parseSchedule,
  type ScheduleDefinition,
  type ScheduleInput,
} from "../../schedule-rules";
import type { ScheduleRow } from "../../schema";
import { dbNow, type Queryable } from "../client";
import { schedules } from "../schema";
import { assertTasksPg, insertJobsPg } from "./enqueue";
import { selectColumns } from "./named";
import { getScheduleRowPg, scheduleAnchorPg } from "./schedules-read";

/** The schedules table's columns by TypeScript key. */
const COLUMNS = getTableColumns(schedules);
const RETURNING_ROW = `RETURNING ${selectColumns(schedules)}`;

/** A definition's fields (a new ScheduleDefinition field is a compile error here); columns from ROW. */
const DEF_FIELDS: Record<keyof ScheduleDefinition, true> = {
  name: true,
  task: true,
  args: true,
  scheduleType: true,
  minutes: true,
  cron: true,
  timezone: true,
  repeats: true,
  nextRunAt: true,
  isEnabled: true,
  queue: true,
  priority: true,
  catchUp: true,
};
const DEF_KEYS = Object.keys(DEF_FIELDS) as (keyof ScheduleDefinition)[];

function isUniqueNameError(error: unknown): boolean {
  const e = error as { code?: string; constraint?: string };
  return e.code === "23505" && e.constraint === "schedules_name_idx";
}

async function validated(db: Queryable, input: unknown): Promise<ScheduleDefinition> {
  const def = parseSchedule(input);
  await assertTasksPg(db, [def.task], [def]);
  return def;
}

/** The anchor of `row`'s saved series, read ahead for the pure rules (null: no next run). */
async function savedAnchor(db: Queryable, row: ScheduleRow): Promise<number | null> {
  return row.nextRunAt === null ? null : scheduleAnchorPg(db, row, row.nextRunAt);
}

/** Creates a schedule; its first run is `nextRunAt` (default now; for cron the first time at or after it). */
export async function createSchedulePg(
  db: Queryable,
  input: ScheduleInput,
  now?: number,
): Promise<ScheduleRow> {
  const def = await validated(db, input);
  const at = now ?? (await dbNow(db));
  const nextRunAt = firstPlannedRun(def, newSeriesStart(def, at), at);
  const values = { ...def, nextRunAt, isEnabled: isSavedEnabled(def, nextRunAt) };
  try {
    const { rows } = await db.query<ScheduleRow>(
      `INSERT INTO schedules (${DEF_KEYS.map((k) => COLUMNS[k].name).join(", ")}, created_at, updated_at)
       VALUES (${DEF_KEYS.map((_, i) => `$${i + 1}`).join(", ")}, $${DEF_KEYS.length + 1},
         $${DEF_KEYS.length + 1}) ${RETURNING_ROW}`,
      [...DEF_KEYS.map((k) => values[k]), at],
    );
    return rows[0]!;
  } catch (error) {
    if (isUniqueNameError(error)) throw nameTaken(def.name);
    throw error;
  }
}

/** Updates some fields of a schedule (validating the result); run inside a transaction. */
export async function updateSchedulePg(
  db: Queryable,
  id: number,
  patch: SchedulePatch,
  now?: number,
): Promise<ScheduleRow> {
  const row = await getScheduleRowPg(db, id, true);
  const def = await validated(db, { ...rowToInput(row), ...patch });
  const at = now ?? (await dbNow(db));
  const anchorAt = await savedAnchor(db, row);
  const start = seriesStartWith(row, def, patch, at, () => anchorAt!);
  const nextRunAt = firstPlannedRun(def, start, at);
  const values = { ...def, nextRunAt, isEnabled: isSavedEnabled(def, nextRunAt) };
  try {
    const { rows } = await db.query<ScheduleRow>(
      `UPDATE schedules SET ${DEF_KEYS.map((k, i) => `${COLUMNS[k].name} = $${i + 1}`).join(", ")},
         updated_at = $${DEF_KEYS.length + 1}
       WHERE id = $${DEF_KEYS.length + 2} ${RETURNING_ROW}`,
      [...DEF_KEYS.map((k) => values[k]), at, id],
    );
    return rows[0]!;
  } catch (error) {
    if (isUniqueNameError(error)) throw nameTaken(def.name);
    throw error;
  }
}

/** Enables or disables a schedule (enabling skips the runs missed meanwhile); run inside a transaction. */
export async function setScheduleEnabledPg(
  db: Queryable,
  id: number,
  isEnabled: boolean,
  now?: number,
): Promise<ScheduleRow> {
  const row = await getScheduleRowPg(db, id, true);
  let nextRunAt = row.nextRunAt;
  if (isEnabled) {
    const at = now ?? (await dbNow(db));
    const anchorAt = row.repeats === 0 ? null : await savedAnchor(db, row);
    nextRunAt = enabledNextRunWith(row, at, () => anchorAt!);
  }
  // updated_at is left alone: it marks definition changes, from which the series is anchored.
  const { rows } = await db.query<ScheduleRow>(
    `UPDATE schedules SET is_enabled = $1, next_run_at = $2 WHERE id = $3 ${RETURNING_ROW}`,
    [isEnabled, nextRunAt, id],
  );
  return rows[0]!;
}

/** Deletes a schedule and its run records (jobs it created stay); false when there was none. */
export async function deleteSchedulePg(db: Queryable, id: number): Promise<boolean> {
  const { rowCount } = await db.query(`DELETE FROM schedules WHERE id = $1`, [id]);
  return rowCount === 1;
}

/** Enqueues one job of the schedule now, leaving next run and repeats alone; run inside a transaction. */
export async function runScheduleNowPg(db: Queryable, id: number, now?: number): Promise<number> {
  const row = await getScheduleRowPg(db, id, true);
  const at = now ?? (await dbNow(db));
  const job = scheduleJobValues(row, at);
  await assertTasksPg(db, [row.task], []);
  const jobId = (await insertJobsPg(db, [job]))[0]!;
  await db.query(`UPDATE schedules SET last_run_at = $1, last_job_id = $2 WHERE id = $3`, [
    at,
    jobId,
    id,
  ]);
  return jobId;
}
