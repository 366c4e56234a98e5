/** Counts for `jobdeck stats` and the Overview, from maintained counters (never COUNT(*) over results). */
import type { Db } from "../client";

/** Queue-wide numbers. */
export interface QueueStats {
  queued: number;
  /** Queued jobs whose run_at is in the future (delayed or waiting to retry). */
  scheduled: number;
  running: number;
  success: number;
  failure: number;
  schedules: number;
  workers: number;
}

/** Reads the counters: results from the trigger-maintained `counters`, the live queue by index. */
export function getQueueStats(db: Db, now = Date.now()): QueueStats {
  const sqlite = db.$client;
  const live = sqlite
    .prepare(
      `SELECT
         (SELECT COUNT(*) FROM jobs WHERE state = 'queued') AS queued,
         (SELECT COUNT(*) FROM jobs WHERE state = 'queued' AND run_at > @now) AS scheduled,
         (SELECT COUNT(*) FROM jobs WHERE state = 'running') AS running,
         (SELECT COALESCE(SUM(value), 0) FROM counters WHERE name = 'success') AS success,
         (SELECT COALESCE(SUM(value), 0) FROM counters WHERE name = 'failure') AS failure,
         (SELECT COUNT(*) FROM schedules) AS schedules,
         (SELECT COUNT(*) FROM workers WHERE stopped_at IS NULL AND last_heartbeat_at > @alive) AS workers`,
    )
    .get({ now, alive: now - 60_000 }) as QueueStats;
  return live;
}

/** Successes and failures per minute from `since` (ms), oldest first, for the throughput chart. */
export function getThroughput(
  db: Db,
  since: number,
): { minute: number; success: number; failure: number }[] {
  return db.$client
    .prepare(
      `SELECT minute, success, failure FROM stats_minutely WHERE minute >= ? ORDER BY minute`,
    )
    .all(minuteOf(since)) as {
    minute: number;
    success: number;
    failure: number;
  }[];
}

/** Successes and failures stopped since `since` (ms), summed from the per-minute counters. */
export function countOutcomesSince(db: Db, since: number): { success: number; failure: number } {
  return db.$client
    .prepare(
      `SELECT COALESCE(SUM(success), 0) AS success, COALESCE(SUM(failure), 0) AS failure
       FROM stats_minutely WHERE minute >= ?`,
    )
    .get(minuteOf(since)) as { success: number; failure: number };
}

/** The start (ms) of the minute `at` falls in: the key of `stats_minutely`. */
export const minuteOf = (at: number): number => Math.floor(at / 60000) * 60000;
