/**
 * Helpers of the security specs (e2e/security-*.spec.ts): the database the web server uses, users
 * with known passwords, crafted session cookies, a digest of the data a mutation could change, and
 * the list of pages, route handlers and server actions the build produced.
 *
 * The database is DATABASE_URL as seen by the test process (the Playwright config must set
 * process.env.DATABASE_URL for the web server and the tests alike), else e2e/.tmp/e2e.db.
 */
import fs from "node:fs";
import path from "node:path";
import { createHash } from "node:crypto";
import type { Page } from "@playwright/test";
import { openDb, type Db } from "@/db/client";
import { NEXT_JOB_ID } from "@/db/queries/insert-jobs";
import { errorFingerprint } from "@/db/queries/failure-groups";
import { hashPasswordSync } from "@/db/passwords";
import { createSession, getSessionSecret } from "@/db/queries/sessions";
import { signSessionToken } from "@/app/_lib/session-cookie";

/** Password of every user these specs create. */
export const TEST_PASSWORD = "e2e-security-Passw0rd!";

let cached: Db | undefined;
/** The web server's database, opened once per worker. */
export function e2eDb(): Db {
  cached ??= openDb({ url: process.env.DATABASE_URL ?? "e2e/.tmp/e2e.db" });
  return cached;
}

/** Creates (or resets) a user with TEST_PASSWORD and the role; returns its id. */
export function ensureUser(username: string, role: "admin" | "viewer"): number {
  const db = e2eDb();
  const now = Date.now();
  db.$client
    .prepare(
      `INSERT INTO users (username, password_hash, role, created_at, updated_at) VALUES (?, ?, ?, ?, ?)
       ON CONFLICT (username) DO UPDATE SET password_hash = excluded.password_hash, role = excluded.role`,
    )
    .run(username, hashPasswordSync(TEST_PASSWORD), role, now, now);
  db.$client.prepare(`DELETE FROM login_attempts WHERE username = ?`).run(username.toLowerCase());
  return db.$client
    .prepare(`SELECT id FROM users WHERE username = ?`)
    .pluck()
    .get(username) as number;
}

/** Kinds of session cookie a spec can present. */
export type CookieKind = "valid" | "expired" | "idle" | "tampered" | "unsigned" | "garbage";

/** A `jobdeck_session` cookie value for a user, valid or broken in the given way. */
export function sessionCookie(userId: number, kind: CookieKind): string {
  const db = e2eDb();
  const secret = getSessionSecret(db);
  if (kind === "garbage") return "not-a-session";
  const now = Date.now();
  const { token } = createSession(db, userId);
  const id = createHash("sha256").update(token).digest("hex");
  if (kind === "expired")
    db.$client.prepare(`UPDATE sessions SET expires_at = ? WHERE id = ?`).run(now - 1000, id);
  if (kind === "idle")
    db.$client
      .prepare(`UPDATE sessions SET last_seen_at = ? WHERE id = ?`)
      .run(now - 30 * 86_400_000, id);
  if (kind === "unsigned") return token;
  const signed = signSessionToken(token, secret);
  if (kind === "tampered") return signed.replace(/^./, (c) => (c === "A" ? "B" : "A"));
  return signed;
}

/** Signs in through the form and waits until the browser has left /login. */
export async function signInThroughForm(
  page: Page,
  username: string,
  password = TEST_PASSWORD,
  next?: string,
) {
  await page.goto(next ? `/login?next=${encodeURIComponent(next)}` : "/login");
  await page.getByLabel("Username").fill(username);
  await page.getByLabel("Password").fill(password);
  await page.getByRole("button", { name: "Sign in" }).click();
}

/** Ids at or above this are rows the security specs seeded (far above real ones). */
export const SEEDED_ID_BASE = 8_000_000;

/**
 * A digest of what a refused mutation must leave alone: users, tokens, settings, the audit log
 * (every accepted retry, delete, cancel, enqueue or edit writes one) and the rows these specs
 * seeded, plus any job that retries one of them. Rows the running worker changes on its own
 * (other specs' jobs, worker heartbeats, schedules' next run) are left out, so it does not flake.
 */
export function dataDigest(): string {
  const db = e2eDb();
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

const NEXT_DIR = path.resolve(process.cwd(), ".next");

function readJson<T>(file: string): T {
  return JSON.parse(fs.readFileSync(path.join(NEXT_DIR, file), "utf8")) as T;
}

/** Every app route of the build: `{ kind: "page" | "route", path }` (e.g. `/api/v1/jobs/[id]`). */
export function builtRoutes(): { kind: "page" | "route"; path: string }[] {
  const routes = readJson<Record<string, string>>("app-path-routes-manifest.json");
  return Object.entries(routes)
    .filter(([key]) => !key.includes("/_not-found") && !key.includes("/_global-error"))
    .map(([key, route]) => ({
      kind: key.endsWith("/route") ? ("route" as const) : ("page" as const),
      path: route,
    }));
}

/** One server action of the build: its id, module, export name, and a page path that serves it. */
export interface BuiltAction {
  id: string;
  filename: string;
  exportedName: string;
  pagePath: string;
}

/** Every server action in the build's server-reference manifest. */
export function builtActions(): BuiltAction[] {
  const manifest = readJson<{
    node: Record<
      string,
      { filename?: string; exportedName?: string; workers: Record<string, unknown> }
    >;
  }>("server/server-reference-manifest.json");
  const routes = readJson<Record<string, string>>("app-path-routes-manifest.json");
  return Object.entries(manifest.node).map(([id, entry]) => {
    const worker = Object.keys(entry.workers)[0] ?? "app/page";
    const pagePath = routes[`/${worker.replace(/^app\//, "")}`] ?? "/";
    return {
      id,
      filename: entry.filename ?? "?",
      exportedName: entry.exportedName ?? "?",
      pagePath,
    };
  });
}

/** A concrete URL for a route pattern: `[id]`-like segments become `ids[segment]` or "1". */
export function concretePath(pattern: string, ids: Record<string, string> = {}): string {
  return pattern.replace(
    /\[\[?\.{0,3}([^\]]+)\]\]?/g,
    (_m, name: string) => ids[`${pattern}:${name}`] ?? ids[name] ?? "1",
  );
}

/** True when an action response refuses for lack of a session, role or origin. */
export function isAuthRefusal(
  status: number,
  headers: Record<string, string>,
  body: string,
): boolean {
  if (status === 401 || status === 403) return true;
  const redirect = headers["x-action-redirect"] ?? headers.location ?? "";
  if (redirect.startsWith("/login")) return true;
  return /session has ended|sign in again|Viewers can look|Cross-site request refused|Request refused/i.test(
    body,
  );
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
export function seedRows(values: HostileFields[]): SeededRows {
  const db = e2eDb();
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
export function removeRows(seeded: SeededRows): void {
  const db = e2eDb();
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
