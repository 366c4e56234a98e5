/**
 * What `npm run bench` reads back from the results after a run (worker/bench/index.ts). SQLite
 * side; bound into the store's maintenance group, so the bench itself holds no SQL.
 */
import type { Db } from "../client";

/** Jobs/s from the first start to the last stop recorded in results (seeded rows excluded). */
export function measureThroughput(db: Db): number {
  const r = db.$client
    .prepare(
      `SELECT COUNT(*) AS c, MIN(started_at) AS a, MAX(stopped_at) AS b FROM results WHERE worker_id NOT LIKE 'seed:%'`,
    )
    .get() as { c: number; a: number; b: number };
  return r.c / ((r.b - r.a) / 1000);
}

/** How long each of these jobs waited between enqueue and start (ms), for those recorded. */
export function measurePickupDelays(db: Db, ids: number[]): number[] {
  if (ids.length === 0) return [];
  return db.$client
    .prepare(
      `SELECT started_at - created_at AS d FROM results WHERE id IN (${ids.map(() => "?").join(",")})`,
    )
    .pluck()
    .all(...ids) as number[];
}
