/**
 * Rows of the e2e security specs (e2e/security-*.spec.ts), written and read here because they are
 * crafted beyond what the store offers: users with a known password, sessions expired or idle, a
 * digest of everything a refused mutation must leave alone, and hostile text in every field.
 * Every function takes the database the web server uses (DATABASE_URL unless given).
 */
import { createHash } from "node:crypto";
import { hashPasswordSync } from "../passwords";
import { errorFingerprint } from "../queries/failure-groups";
import { NEXT_JOB_ID } from "../queries/insert-jobs";
import { createSession, getSessionSecret } from "../queries/sessions";
import { e2eDb } from "./e2e-db";

/** Creates (or resets) a user with `password` and the role; returns its id. */
export function ensureUser(
  username: string,
  role: "admin" | "viewer",
  password: string,
  url?: string,
): number {
  const db = e2eDb(url);
  const now = Date.now();
  db.$client
    .prepare(
      `INSERT INTO users (username, password_hash, role, created_at, updated_at) VALUES (?, ?, ?, ?, ?)
       ON CONFLICT (username) DO UPDATE SET password_hash = excluded.password_hash, role = excluded.role`,
    )
    .run(username, hashPasswordSync(password), role, now, now);
  db.$client.prepare(`DELETE FROM login_attempts WHERE username = ?`).run(username.toLowerCase());
  return db.$client
    .prepare(`SELECT id FROM users WHERE username = ?`)
    .pluck()
    .get(username) as number;
}

/** How a crafted session is broken: expired, idle past the limit, or neither. */
export type SessionAge = "fresh" | "expired" | "idle";

/** Creates a session row for a user, aged as asked; returns its raw token and the signing secret. */
export function createTestSession(
  userId: number,
  age: SessionAge,
  url?: string,
): { token: string; secret: string } {
  const db = e2eDb(url);
  const secret = getSessionSecret(db);
  const now = Date.now();
  const { token } = createSession(db, userId);
  const id = createHash("sha256").update(token).digest("hex");
  if (age === "expired")
    db.$client.prepare(`UPDATE sessions SET expires_at = ? WHERE id = ?`).run(now - 1000, id);
  if (age === "idle")
    db.$client
      .prepare(`UPDATE sessions SET last_seen_at = ? WHERE id = ?`)
      .run(now - 30 * 86_400_000, id);
  return { token, secret };
}

/** The session-signing secret the server uses. */
export function sessionSecret(url?: string): string {
  return getSessionSecret(e2eDb(url));
}

/** Ids at or above this are rows the security specs seeded (far above real ones). */
export const SEEDED_ID_BASE = 8_000_000;

/**
 * A digest of what a refused mutation must leave alone: users, tokens, settings, the audit log
 * (every accepted retry, delete, cancel, enqueue or edit writes one) and the rows these specs
 * seeded, plus any job that retries one of them. Rows the running worker changes on its own
 * (other specs' jobs, worker heartbeats, schedules' next run) are left out, so it does not flake.
 */
export function dataDigest(url?: string): string {
  const db = e2eDb(url);
  const hash = createHash("sha256");
  const queries = [
    `SELECT * FROM users ORDER BY id`,
    // Not last_used_at: using a token to make a (refused) request updates it.
    `SELECT id, name, token_hash, role, created_by, created_at, revoked_at FROM api_tokens ORDER BY id`,
    `SELECT * FROM settings ORDER BY key`,
    `SELECT * FROM audit_log ORDER BY id`,
    `SELECT * FROM jobs WHERE id IN (${[...seededJobIds].join(",") || "NULL"}) OR retry_of >= ${SEEDED_ID_BASE} ORDER BY id`,
    `SELECT * FROM results WHERE id >= ${SEEDED_ID_BASE} OR retry_of >= ${SEEDED_ID_BASE} ORDER BY id`,
    `SELECT * FROM schedules WHERE id IN (${[...seededScheduleIds].join(",") || "NULL"}) ORDER BY id`,
    `SELECT COUNT(*) AS n FROM schedules`,
  ];
  for (const query of queries) {
    for (const row of db.$client.prepare(query).iterate()) hash.update(JSON.stringify(row));
  }
  return hash.digest("hex");
}

/** Ids of rows a spec seeded, for `[id]` segments and cleanup. */
export interface SeededRows {
  jobIds: number[];
  resultIds: number[];
  scheduleIds: number[];
  auditIds: number[];
}

const seededJobIds = new Set<number>();
const seededScheduleIds = new Set<number>();

/** One row's worth of untrusted text for every field a job, result and schedule carries. */
export interface HostileFields {
  text: string;
  json: string;
}

/**
 * Inserts a queued job, a failure, a success, a schedule and an audit entry per value, with every
 * text field set to it. The job takes the next job id and its two results the two after it, as
 * real results share ids with the jobs they came from (job ids are never reused, so none of these
 * is ever given to a real job); schedules take their next ids. Returns the ids for cleanup.
 */
export function seedRows(values: HostileFields[], url?: string): SeededRows {
  const db = e2eDb(url);
  const now = Date.now();
  const seeded: SeededRows = { jobIds: [], resultIds: [], scheduleIds: [], auditIds: [] };
  const job = db.$client.prepare(
    `INSERT INTO jobs (id, id_scheme, name, task, args, queue, priority, state, group_name, run_at,
       created_at, attempts, max_attempts, last_error, progress_message, progress)
     VALUES (${NEXT_JOB_ID}, 1, ?, ?, ?, ?, 0, 'queued', ?, ?, ?, 1, 3, ?, ?, 0.5)`,
  );
  const result = db.$client.prepare(
    `INSERT INTO results (id, name, task, args, queue, priority, state, group_name, result, error, error_stack,
       created_at, started_at, stopped_at, duration_ms, attempts, worker_id, error_fingerprint)
     VALUES (?, ?, ?, ?, ?, 0, ?, ?, ?, ?, ?, ?, ?, ?, 5, 1, ?, ?)`,
  );
  const attempt = db.$client.prepare(
    `INSERT INTO attempts (job_id, attempt, worker_id, outcome, started_at, stopped_at, duration_ms, error, error_stack)
     VALUES (?, 1, ?, 'error', ?, ?, 5, ?, ?)`,
  );
  const schedule = db.$client.prepare(
    `INSERT INTO schedules (name, task, args, schedule_type, minutes, cron, timezone, repeats, next_run_at,
       is_enabled, queue, priority, catch_up, created_at, updated_at)
     VALUES (?, ?, ?, 'minutes', 60, NULL, 'UTC', -1, ?, 0, ?, 0, 'once', ?, ?)`,
  );
  const audit = db.$client.prepare(
    `INSERT INTO audit_log (at, actor, action, target, before, after, address) VALUES (?, ?, ?, ?, ?, ?, ?)`,
  );
  db.$client
    .transaction(() => {
      values.forEach((v, i) => {
        const jobId = Number(
          job.run(v.text, v.text, v.json, v.text, v.text, now + 86_400_000, now, v.text, v.text)
            .lastInsertRowid,
        );
        // Its failure and success take the next two ids.
        const failureId = jobId + 1;
        const successId = jobId + 2;
        result.run(
          failureId,
          v.text,
          v.text,
          v.json,
          v.text,
          "failure",
          v.text,
          null,
          v.text,
          v.text,
          now,
          now,
          now,
          v.text,
          errorFingerprint(v.text),
        );
        result.run(
          successId,
          v.text,
          v.text,
          v.json,
          v.text,
          "success",
          v.text,
          v.json,
          null,
          null,
          now,
          now,
          now,
          v.text,
          null,
        );
        attempt.run(failureId, v.text, now, now, v.text, v.text);
        const scheduleId = Number(
          schedule.run(
            `${v.text}#${jobId}-${i}`,
            v.text,
            v.json,
            now + 86_400_000,
            v.text,
            now,
            now,
          ).lastInsertRowid,
        );
        const info = audit.run(now, v.text, v.text, v.text, v.text, v.json, v.text.slice(0, 100));
        seeded.jobIds.push(jobId);
        seededJobIds.add(jobId);
        seeded.resultIds.push(failureId, successId);
        seeded.scheduleIds.push(scheduleId);
        seededScheduleIds.add(scheduleId);
        seeded.auditIds.push(Number(info.lastInsertRowid));
      });
    })
    .immediate();
  return seeded;
}

/** Deletes what seedRows inserted. */
export function removeRows(seeded: SeededRows, url?: string): void {
  const db = e2eDb(url);
  db.$client
    .transaction(() => {
      for (const id of seeded.jobIds) db.$client.prepare(`DELETE FROM jobs WHERE id = ?`).run(id);
      for (const id of seeded.resultIds) {
        db.$client.prepare(`DELETE FROM results WHERE id = ?`).run(id);
        db.$client.prepare(`DELETE FROM attempts WHERE job_id = ?`).run(id);
      }
      for (const id of seeded.scheduleIds)
        db.$client.prepare(`DELETE FROM schedules WHERE id = ?`).run(id);
      for (const id of seeded.auditIds)
        db.$client.prepare(`DELETE FROM audit_log WHERE id = ?`).run(id);
    })
    .immediate();
}
