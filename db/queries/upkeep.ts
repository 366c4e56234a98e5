/**
 * Upkeep writes: rescue jobs whose lease expired, prune old results, register workers.
 * Rescue goes by lease expiry (claim time + lease, renewed by heartbeat), never by run_at. What a
 * rescue or a prune writes is db/lifecycle.ts's (loseAttempt, forgetResult).
 */
import type { Db } from "../client";
import { lifecycleOf, type LostJob } from "../lifecycle";

/** How `workers.queues` shows a worker's queues: comma-separated, `*` for all (both dialects). */
export function workerQueuesText(queues: string[] | null): string {
  return queues ? queues.join(",") : "*";
}

/** Registers a worker process in `workers`. */
export function registerWorker(
  db: Db,
  w: { id: string; host: string; pid: number; concurrency: number; queues: string[] | null },
): void {
  const now = Date.now();
  db.$client
    .prepare(
      `INSERT INTO workers (id, host, pid, concurrency, queues, started_at, last_heartbeat_at)
       VALUES (?, ?, ?, ?, ?, ?, ?)`,
    )
    .run(w.id, w.host, w.pid, w.concurrency, workerQueuesText(w.queues), now, now);
}

/** Records a worker's heartbeat. */
export function heartbeatWorker(db: Db, workerId: string, now = Date.now()): void {
  db.$client.prepare(`UPDATE workers SET last_heartbeat_at = ? WHERE id = ?`).run(now, workerId);
}

/** Marks a worker stopped (graceful shutdown). */
export function markWorkerStopped(db: Db, workerId: string, now = Date.now()): void {
  db.$client
    .prepare(`UPDATE workers SET stopped_at = ?, last_heartbeat_at = ? WHERE id = ?`)
    .run(now, now, workerId);
}

/** What a rescue sweep did. */
export interface RescueResult {
  requeued: number[];
  failed: number[];
}

/**
 * Rescues running jobs whose lease expired: each one's attempt is recorded as lost, and the job
 * goes back to the queue or, with its attempts spent or a cancel asked, ends as a failure (see
 * db/lifecycle.ts, loseAttempt). One IMMEDIATE transaction.
 */
export function rescueExpiredLeases(db: Db, now = Date.now(), limit = 1000): RescueResult {
  const sqlite = db.$client;
  const life = lifecycleOf(db);
  const select = sqlite.prepare(
    `SELECT id, attempts, max_attempts AS maxAttempts, locked_by AS lockedBy, locked_at AS lockedAt,
       claim_token AS claimToken, started_at AS startedAt, cancel_requested_at AS cancelRequestedAt
     FROM jobs WHERE state = 'running' AND lease_expires_at < ? ORDER BY lease_expires_at LIMIT ?`,
  );
  const sweep = sqlite.transaction((): RescueResult => {
    const result: RescueResult = { requeued: [], failed: [] };
    for (const job of select.all(now, limit) as LostJob[]) {
      const outcome = life.loseAttempt(job, now);
      if (outcome !== null) result[outcome].push(job.id);
    }
    return result;
  });
  return sweep.immediate();
}

/** How long successes (and optionally failures) are kept. */
export interface Retention {
  /** Django-Q's save_limit: keep the newest N successes; 0 = unlimited; -1 = keep none. */
  saveLimit: number;
  /** Also drop successes older than this many days; 0 = no age limit. */
  saveDays: number;
  /** Drop failures older than this many days; 0 = keep until deleted (default). */
  failureDays: number;
}

function envInt(name: string, fallback: number, min: number): number {
  const raw = process.env[name];
  if (raw === undefined || raw === "") return fallback;
  const n = Number(raw);
  if (!Number.isInteger(n) || n < min)
    throw new Error(`${name}="${raw}" must be a whole number ≥ ${min}`);
  return n;
}

/** Retention from JOBDECK_SAVE_LIMIT (default 100000), JOBDECK_SAVE_DAYS (0), JOBDECK_FAILURE_DAYS (0). */
export function retentionFromEnv(): Retention {
  return {
    saveLimit: envInt("JOBDECK_SAVE_LIMIT", 100_000, -1),
    saveDays: envInt("JOBDECK_SAVE_DAYS", 0, 0),
    failureDays: envInt("JOBDECK_FAILURE_DAYS", 0, 0),
  };
}

/** Deletes in chunks of `chunk` rows, each in its own short transaction, so workers are never held up. */
function deleteInChunks(db: Db, selectIds: string, params: unknown[], chunk = 5000): number {
  const sqlite = db.$client;
  const select = sqlite.prepare(`${selectIds} LIMIT ${chunk}`).pluck();
  const life = lifecycleOf(db);
  let total = 0;
  for (;;) {
    const n = sqlite
      .transaction(() => {
        const ids = select.all(...params) as number[];
        for (const id of ids) life.forgetResult(id);
        return ids.length;
      })
      .immediate();
    total += n;
    if (n < chunk) return total;
  }
}

/** Prunes successes by count and age, and failures by age when configured. Returns rows deleted. */
export function pruneResults(
  db: Db,
  retention: Retention,
  now = Date.now(),
): { successes: number; failures: number } {
  let successes = 0;
  let failures = 0;
  if (retention.saveLimit !== 0) {
    const keep = Math.max(0, retention.saveLimit);
    const count = db.$client
      .prepare(`SELECT value FROM counters WHERE name = 'success'`)
      .pluck()
      .get() as number;
    if (count > keep) {
      // The newest row we keep marks the cut; everything older goes.
      const cut = db.$client
        .prepare(
          `SELECT stopped_at AS stoppedAt, id FROM results WHERE state = 'success'
           ORDER BY stopped_at DESC, id DESC LIMIT 1 OFFSET ?`,
        )
        .get(keep) as { stoppedAt: number; id: number } | undefined;
      if (cut) {
        successes += deleteInChunks(
          db,
          `SELECT id FROM results WHERE state = 'success' AND (stopped_at < ? OR (stopped_at = ? AND id <= ?))`,
          [cut.stoppedAt, cut.stoppedAt, cut.id],
        );
      }
    }
  }
  if (retention.saveDays > 0) {
    successes += deleteInChunks(
      db,
      `SELECT id FROM results WHERE state = 'success' AND stopped_at < ?`,
      [now - retention.saveDays * 86_400_000],
    );
  }
  if (retention.failureDays > 0) {
    failures += deleteInChunks(
      db,
      `SELECT id FROM results WHERE state = 'failure' AND stopped_at < ?`,
      [now - retention.failureDays * 86_400_000],
    );
  }
  return { successes, failures };
}

/** Drops per-minute stats and stopped-worker rows older than `days` (default 7). */
export function pruneHousekeeping(db: Db, now = Date.now(), days = 7): void {
  const cutoff = now - days * 86_400_000;
  db.$client
    .transaction(() => {
      db.$client.prepare(`DELETE FROM stats_minutely WHERE minute < ?`).run(cutoff);
      db.$client.prepare(`DELETE FROM workers WHERE last_heartbeat_at < ?`).run(cutoff);
    })
    .immediate();
}
