/**
 * Reading schedules on PostgreSQL: one by id or name, the list with each one's last run, and the
 * form's preview of an edit (the rules are db/schedule-rules.ts's and db/queries/schedules-start.ts's).
 */
import { previewSchedule, type SchedulePreview } from "../../schedule-rules";
import { isCalendarType } from "../../schedule-times";
import { toView, type ScheduleView } from "../../queries/schedules";
import {
  noSchedule,
  rowToInput,
  seriesStartWith,
  type SchedulePatch,
} from "../../queries/schedules-start";
import type { ScheduleRow, ScheduleType } from "../../schema";
import { dbNow, type Queryable } from "../client";
import { schedules } from "../schema";
import { selectColumns } from "./named";

const VIEW_SQL = `SELECT ${selectColumns(schedules, "s")}, r.state AS "resultState", j.state AS "jobState"
  FROM schedules s
  LEFT JOIN results r ON r.id = s.last_job_id
  LEFT JOIN jobs j ON j.id = s.last_job_id`;

/** Schedules with their last job's state, as toView (db/queries/schedules.ts) shows them. */
async function views(
  db: Queryable,
  where: string,
  tail: string,
  params: unknown[],
): Promise<ScheduleView[]> {
  const { rows } = await db.query<
    ScheduleRow & { resultState: string | null; jobState: string | null }
  >(`${VIEW_SQL} WHERE ${where} ${tail}`, params);
  return rows.map(({ resultState, jobState, ...schedule }) =>
    toView({ schedule, resultState, jobState }),
  );
}

/** getSchedule on PostgreSQL: one schedule by id or name, or null. */
export async function getSchedulePg(
  db: Queryable,
  idOrName: number | string,
): Promise<ScheduleView | null> {
  const where = typeof idOrName === "number" ? `s.id = $1` : `s.name = $1`;
  return (await views(db, where, "", [idOrName]))[0] ?? null;
}

/** listSchedules on PostgreSQL. */
export async function listSchedulesPg(
  db: Queryable,
  { afterId = 0, limit = 100 }: { afterId?: number; limit?: number } = {},
): Promise<ScheduleView[]> {
  return views(db, `s.id > $1`, `ORDER BY s.id LIMIT $2`, [afterId, limit]);
}

/**
 * getScheduleRow on PostgreSQL (locked with `forUpdate`, inside the caller's transaction); throws
 * InputError (field "id") when there is none.
 */
export async function getScheduleRowPg(
  db: Queryable,
  id: number,
  forUpdate = false,
): Promise<ScheduleRow> {
  const { rows } = await db.query<ScheduleRow>(
    `SELECT ${selectColumns(schedules)} FROM schedules WHERE id = $1${forUpdate ? " FOR UPDATE" : ""}`,
    [id],
  );
  const row = rows[0];
  if (!row) throw noSchedule(id);
  return row;
}

/** scheduleAnchor (db/queries/schedule-fire.ts) on PostgreSQL. */
export async function scheduleAnchorPg(
  db: Queryable,
  schedule: { id: number; scheduleType: ScheduleType; updatedAt: number },
  nextRunAt: number,
): Promise<number> {
  if (!isCalendarType(schedule.scheduleType)) return nextRunAt;
  const { rows } = await db.query<{ fireAt: number }>(
    `SELECT fire_at AS "fireAt" FROM schedule_runs WHERE schedule_id = $1 AND created_at >= $2
     ORDER BY fire_at LIMIT 1`,
    [schedule.id, schedule.updatedAt],
  );
  return rows[0]?.fireAt ?? nextRunAt;
}

/** previewScheduleUpdate on PostgreSQL (`now` defaults to the database's clock). */
export async function previewScheduleUpdatePg(
  db: Queryable,
  id: number,
  patch: SchedulePatch,
  now?: number,
  k = 5,
): Promise<SchedulePreview> {
  const at = now ?? (await dbNow(db));
  const row = await getScheduleRowPg(db, id);
  const anchor = row.nextRunAt === null ? null : await scheduleAnchorPg(db, row, row.nextRunAt);
  return previewSchedule({ ...rowToInput(row), ...patch }, at, k, (def) =>
    seriesStartWith(row, def, patch, at, (nextRunAt) => anchor ?? nextRunAt),
  );
}
