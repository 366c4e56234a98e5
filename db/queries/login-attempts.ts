/**
 * Rate limiting of failed sign-ins, per client address and per username, over a sliding window.
 * Only failures are recorded; a successful sign-in clears that username's failures from that address.
 */
import type { Db } from "../client";

/** Limits on failed sign-ins within one window. */
export interface LoginLimits {
  /** Window length (JOBDECK_LOGIN_WINDOW_MINUTES, default 15). */
  windowMs: number;
  /** Failures allowed per username in a window (JOBDECK_LOGIN_MAX_PER_USER, default 5). */
  maxPerUser: number;
  /** Failures allowed per address in a window (JOBDECK_LOGIN_MAX_PER_ADDRESS, default 20). */
  maxPerAddress: number;
}

function intFromEnv(name: string, fallback: number): number {
  const raw = process.env[name];
  if (raw === undefined || raw.trim() === "") return fallback;
  const value = Number(raw);
  if (!Number.isInteger(value) || value <= 0)
    throw new Error(`${name}="${raw}" must be a positive whole number`);
  return value;
}

/** Reads the limits from the environment (defaults: 5 per user, 20 per address, per 15 minutes). */
export function loginLimits(): LoginLimits {
  return {
    windowMs: intFromEnv("JOBDECK_LOGIN_WINDOW_MINUTES", 15) * 60_000,
    maxPerUser: intFromEnv("JOBDECK_LOGIN_MAX_PER_USER", 5),
    maxPerAddress: intFromEnv("JOBDECK_LOGIN_MAX_PER_ADDRESS", 20),
  };
}

/** Whether another attempt is allowed now, and if not, how long until one is. */
export type LoginAllowance = { allowed: true } | { allowed: false; retryAfterMs: number };

function oldestInWindow(
  db: Db,
  column: "address" | "username",
  value: string,
  since: number,
  max: number,
) {
  // The max-th newest failure inside the window decides when a slot frees up.
  const rows = db.$client
    .prepare(
      `SELECT attempted_at FROM login_attempts WHERE ${column} = ? AND attempted_at > ?
       ORDER BY attempted_at DESC LIMIT ?`,
    )
    .pluck()
    .all(value, since, max) as number[];
  return rows.length >= max ? (rows[rows.length - 1] ?? null) : null;
}

/** Checks whether a sign-in from `address` for `username` may be tried now. */
export function checkLoginAllowed(
  db: Db,
  address: string,
  username: string,
  { now = Date.now(), limits = loginLimits() }: { now?: number; limits?: LoginLimits } = {},
): LoginAllowance {
  const since = now - limits.windowMs;
  const byUser = oldestInWindow(db, "username", username.toLowerCase(), since, limits.maxPerUser);
  const byAddress = oldestInWindow(db, "address", address, since, limits.maxPerAddress);
  const blockers = [byUser, byAddress].filter((t): t is number => t !== null);
  if (blockers.length === 0) return { allowed: true };
  return { allowed: false, retryAfterMs: Math.max(...blockers) + limits.windowMs - now };
}

/** Records a failed sign-in and forgets failures older than the window. */
export function recordFailedLogin(
  db: Db,
  address: string,
  username: string,
  { now = Date.now(), limits = loginLimits() }: { now?: number; limits?: LoginLimits } = {},
): void {
  db.$client
    .transaction(() => {
      db.$client
        .prepare(`INSERT INTO login_attempts (address, username, attempted_at) VALUES (?, ?, ?)`)
        .run(address.slice(0, 100), username.toLowerCase().slice(0, 100), now);
      db.$client
        .prepare(`DELETE FROM login_attempts WHERE attempted_at <= ?`)
        .run(now - limits.windowMs);
    })
    .immediate();
}

/** Forgets the failures of a username from an address (after it signs in successfully). */
export function clearFailedLogins(db: Db, address: string, username: string): void {
  db.$client
    .prepare(`DELETE FROM login_attempts WHERE address = ? AND username = ?`)
    .run(address.slice(0, 100), username.toLowerCase().slice(0, 100));
}
