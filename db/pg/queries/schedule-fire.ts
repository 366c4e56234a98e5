/**
 * The scheduler on PostgreSQL: due schedules become jobs, exactly once per (schedule, fire time)
 * however many schedulers run on however many hosts. Each schedule fires in its own transaction:
 * its row is locked with `FOR UPDATE SKIP LOCKED` (a scheduler firing it elsewhere is skipped, not
 * waited for; it advances next_run_at before it commits), each fire time's `schedule_runs` row is
 * inserted first with `ON CONFLICT DO NOTHING` (its primary key is the exactly-once guard, even
 * for a schedule edited back to a time already fired), then the job (announced by insertJobsPg).
 * What to fire and what the row becomes are db/queries/schedule-fire.ts's (plan, scheduledJob,
 * afterFire); only the SQL is here.
 */
import type pg from "pg";
import {
  afterFire,
  plan,
  RUNS_PRUNED_TYPES,
  SCHEDULE_RUNS_KEEP_MS,
  scheduledJob,
  type DueRow,
  type FireOptions,
  type FiredRun,
  type FireReport,
  addFired,
  addFireError,
} from "../../queries/schedule-fire";
import { dbNow, type Queryable } from "../client";
import { withTransaction } from "../tx";
import { insertJobsPg } from "./enqueue";
import { scheduleAnchorPg } from "./schedules-read";

const SELECT_DUE_ROW = `SELECT id, name, task, args, schedule_type AS "scheduleType", minutes, cron,
  timezone, repeats, next_run_at AS "nextRunAt", queue, priority, catch_up AS "catchUp",
  updated_at AS "updatedAt"
  FROM schedules WHERE id = $1 AND is_enabled AND repeats <> 0 AND next_run_at IS NOT NULL
    AND next_run_at <= $2
  FOR UPDATE SKIP LOCKED`;

/** Fires one schedule if it is still due and no other scheduler holds it; returns the runs. */
export async function fireSchedulePg(
  db: Queryable,
  scheduleId: number,
  now: number,
  options: FireOptions = {},
): Promise<{ fired: FiredRun[]; skipped: number }> {
  const { rows } = await db.query<DueRow>(SELECT_DUE_ROW, [scheduleId, now]);
  const row = rows[0];
  if (!row) return { fired: [], skipped: 0 };
  const anchorAt = await scheduleAnchorPg(db, row, row.nextRunAt);
  const { times, next } = plan(row, { ...row, anchorAt }, now, options.maxPerSchedule ?? 100);
  const fired: FiredRun[] = [];
  let skipped = 0;
  for (const fireAt of times) {
    const claimed = await db.query(
      `INSERT INTO schedule_runs (schedule_id, fire_at, job_id, created_at) VALUES ($1, $2, 0, $3)
       ON CONFLICT (schedule_id, fire_at) DO NOTHING`,
      [row.id, fireAt, now],
    );
    if (claimed.rowCount === 0) {
      skipped += 1;
      continue;
    }
    const jobId = (await insertJobsPg(db, [scheduledJob(row, now)]))[0]!;
    await db.query(`UPDATE schedule_runs SET job_id = $1 WHERE schedule_id = $2 AND fire_at = $3`, [
      jobId,
      row.id,
      fireAt,
    ]);
    fired.push({ scheduleId: row.id, fireAt, jobId });
  }
  const after = afterFire(row, fired, next, now);
  await db.query(
    `UPDATE schedules SET next_run_at = $1, repeats = $2, is_enabled = $3,
       last_run_at = COALESCE($4, last_run_at), last_job_id = COALESCE($5, last_job_id)
     WHERE id = $6`,
    [after.nextRunAt, after.repeats, after.isEnabled, after.lastRunAt, after.lastJobId, row.id],
  );
  return { fired, skipped };
}

/** fireDueSchedules on PostgreSQL (`now` defaults to the database's clock). */
export async function fireDueSchedulesPg(
  pool: pg.Pool,
  now?: number,
  options: FireOptions = {},
): Promise<FireReport> {
  const at = now ?? (await dbNow(pool));
  const report: FireReport = { fired: [], skipped: 0, errors: [] };
  const { rows } = await pool.query<{ id: number }>(
    `SELECT id FROM schedules WHERE is_enabled AND next_run_at <= $1 ORDER BY next_run_at LIMIT $2`,
    [at, options.limit ?? 500],
  );
  for (const { id } of rows) {
    try {
      addFired(
        report,
        await withTransaction(pool, (client) => fireSchedulePg(client, id, at, options)),
      );
    } catch (error) {
      addFireError(report, id, error);
    }
  }
  return report;
}

/** pruneScheduleRuns on PostgreSQL: the same rows, in batches of 5000. */
export async function pruneScheduleRunsPg(
  pool: pg.Pool,
  now?: number,
  keepMs = SCHEDULE_RUNS_KEEP_MS,
): Promise<number> {
  const at = now ?? (await dbNow(pool));
  let total = 0;
  for (;;) {
    const { rowCount } = await pool.query(
      `DELETE FROM schedule_runs WHERE (schedule_id, fire_at) IN (
         SELECT r.schedule_id, r.fire_at FROM schedule_runs r JOIN schedules s ON s.id = r.schedule_id
         WHERE r.fire_at < $1 AND s.schedule_type IN (${RUNS_PRUNED_TYPES}) LIMIT 5000)`,
      [at - keepMs],
    );
    const n = rowCount ?? 0;
    total += n;
    if (n < 5000) return total;
  }
}
