/**
 * Server-side sessions. The browser's cookie carries a random token (signed); the table stores
 * only the token's SHA-256, so a copy of the database does not let anyone sign in.
 * A session ends at its absolute expiry, after an idle period, at sign-out, or when the user's
 * password or role changes.
 */
import {
  SESSION_SECRET_KEY,
  newSession,
  newSessionSecret,
  sessionAudit,
  sessionSecretFromEnv,
  sessionVerdict,
  hashSessionToken,
} from "../auth-rules";
import type { Db } from "../client";
import type { UserRole } from "../schema";
import { auditedChange } from "./audit";

/** Session lifetimes in milliseconds. */
export interface SessionLifetimes {
  /** Ends after this long without a request (JOBDECK_SESSION_IDLE_MINUTES, default 720 = 12 h). */
  idleMs: number;
  /** Ends this long after sign-in regardless of use (JOBDECK_SESSION_MAX_HOURS, default 168 = 7 days). */
  absoluteMs: number;
}

function positiveFromEnv(name: string, fallback: number): number {
  const raw = process.env[name];
  if (raw === undefined || raw.trim() === "") return fallback;
  const value = Number(raw);
  if (!Number.isFinite(value) || value <= 0) {
    throw new Error(`${name}="${raw}" must be a positive number`);
  }
  return value;
}

/** Reads the session lifetimes from the environment (defaults: 12 h idle, 7 days absolute). */
export function sessionLifetimes(): SessionLifetimes {
  return {
    idleMs: positiveFromEnv("JOBDECK_SESSION_IDLE_MINUTES", 12 * 60) * 60_000,
    absoluteMs: positiveFromEnv("JOBDECK_SESSION_MAX_HOURS", 7 * 24) * 3_600_000,
  };
}

export { hashSessionToken } from "../auth-rules";

/** When a session call happens and which lifetimes it applies (default: now and sessionLifetimes()). */
export interface SessionClock {
  now?: number;
  lifetimes?: SessionLifetimes;
}

/** A SessionClock with its defaults filled in. */
function readClock({ now = Date.now(), lifetimes = sessionLifetimes() }: SessionClock) {
  return { now, lifetimes };
}

/** Creates a session for a user; returns the token for the cookie (shown nowhere else). */
export function createSession(
  db: Db,
  userId: number,
  options: SessionClock = {},
): { token: string; expiresAt: number } {
  const { now, lifetimes } = readClock(options);
  const { token, id, expiresAt } = newSession(now, lifetimes.absoluteMs);
  db.$client
    .prepare(
      `INSERT INTO sessions (id, user_id, created_at, expires_at, last_seen_at) VALUES (?, ?, ?, ?, ?)`,
    )
    .run(id, userId, now, expiresAt, now);
  return { token, expiresAt };
}

/**
 * Signs a user in: creates the session and records `session.sign-in` in the audit log, in one
 * transaction. Returns the token for the cookie, as createSession does.
 */
export function startSession(
  db: Db,
  user: { id: number; username: string },
  address: string | null = null,
  options: SessionClock = {},
): { token: string; expiresAt: number } {
  return auditedChange(
    db,
    () => createSession(db, user.id, options),
    () => sessionAudit.signIn(user.username, address),
  );
}

/** The signed-in user behind a session token. */
export interface SessionOwner {
  id: number;
  username: string;
  role: UserRole;
  sessionExpiresAt: number;
}

/** A session with its user, as both reading and ending a session see it. */
interface SessionJoin {
  id: number;
  username: string;
  role: UserRole;
  expiresAt: number;
  lastSeenAt: number;
}

/** The session stored under `id` (a token's hash) with its user; undefined when none. */
function readSession(db: Db, id: string): SessionJoin | undefined {
  return db.$client
    .prepare(
      `SELECT u.id, u.username, u.role, s.expires_at AS expiresAt, s.last_seen_at AS lastSeenAt
       FROM sessions s JOIN users u ON u.id = s.user_id WHERE s.id = ?`,
    )
    .get(id) as SessionJoin | undefined;
}

/**
 * The user of a live session, or null when the token is unknown, past its absolute expiry or
 * idle too long (an ended session's row is deleted). Refreshes last_seen_at at most once a minute.
 */
export function getSessionOwner(
  db: Db,
  token: string,
  options: SessionClock = {},
): SessionOwner | null {
  const { now, lifetimes } = readClock(options);
  const id = hashSessionToken(token);
  const row = readSession(db, id);
  if (!row) return null;
  const verdict = sessionVerdict(row, now, lifetimes.idleMs);
  if (verdict === "ended") {
    db.$client.prepare(`DELETE FROM sessions WHERE id = ?`).run(id);
    return null;
  }
  if (verdict === "touch") {
    db.$client.prepare(`UPDATE sessions SET last_seen_at = ? WHERE id = ?`).run(now, id);
  }
  return { id: row.id, username: row.username, role: row.role, sessionExpiresAt: row.expiresAt };
}

/** Ends one session (sign-out, or rotation at sign-in). */
export function deleteSession(db: Db, token: string): void {
  db.$client.prepare(`DELETE FROM sessions WHERE id = ?`).run(hashSessionToken(token));
}

/**
 * Signs out: ends the session and, when it was still live, records `session.sign-out` for its
 * user in the audit log, in one transaction. An expired or idle session is deleted unaudited (its
 * user was signed out already). Returns whether a live session was ended.
 */
export function endSession(
  db: Db,
  token: string,
  address: string | null = null,
  options: SessionClock = {},
): boolean {
  const { now, lifetimes } = readClock(options);
  const id = hashSessionToken(token);
  const signedOut = auditedChange(
    db,
    () => {
      const row = readSession(db, id);
      if (row === undefined) return null;
      db.$client.prepare(`DELETE FROM sessions WHERE id = ?`).run(id);
      return sessionVerdict(row, now, lifetimes.idleMs) === "ended" ? null : row.username;
    },
    (username) => (username === null ? null : sessionAudit.signOut(username, address)),
  );
  return signedOut !== null;
}

/** Deletes sessions past their absolute expiry or idle limit; returns how many. */
export function pruneSessions(db: Db, options: SessionClock = {}): number {
  const { now, lifetimes } = readClock(options);
  return db.$client
    .prepare(`DELETE FROM sessions WHERE expires_at <= ? OR last_seen_at <= ?`)
    .run(now, now - lifetimes.idleMs).changes;
}

/**
 * The key that signs session cookies: JOBDECK_SECRET when set (at least 32 characters), else a
 * random secret generated on first use and kept in `settings` (INSERT OR IGNORE: two processes
 * starting at once agree on the first one written).
 */
export function getSessionSecret(db: Db): string {
  const fromEnv = sessionSecretFromEnv();
  if (fromEnv !== null) return fromEnv;
  const read = db.$client.prepare(`SELECT value FROM settings WHERE key = ?`).pluck();
  const existing = read.get(SESSION_SECRET_KEY) as string | undefined;
  if (existing) return existing;
  db.$client
    .prepare(`INSERT OR IGNORE INTO settings (key, value) VALUES (?, ?)`)
    .run(SESSION_SECRET_KEY, newSessionSecret());
  return read.get(SESSION_SECRET_KEY) as string;
}
