/**
 * Sign-in limits. Every sign-in is counted in one IMMEDIATE transaction *before* its password is
 * checked (a reservation), so parallel guesses from any number of connections or processes can
 * never all be checked: the limit holds exactly. A wrong password keeps its row; a right one
 * deletes that username's rows from that address.
 *
 * Three limits over a sliding window:
 * - per username *and* address (default 5): refuses that pair until the window frees a slot;
 * - per address (default 20, across usernames): refuses that address;
 * - per username from every address (after 5): never refuses for long, it only spaces the
 *   attempts (default 2 s apart, each waiting its turn up to 10 s), so an attacker elsewhere slows
 *   the real user down but cannot lock them out. Only when attempts queue up for more than the
 *   wait is one turned away, for those seconds.
 */
import { decoyHash, verifyPassword } from "../passwords";
import type { Db } from "../client";
import { recordAudit } from "./audit";
import { findUserForSignIn, type UserWithHash } from "./users";

/** Limits on sign-ins within one window. */
export interface LoginLimits {
  /** Window length (JOBDECK_LOGIN_WINDOW_MINUTES, default 15). */
  windowMs: number;
  /** Attempts per username from one address (JOBDECK_LOGIN_MAX_PER_USER, default 5). */
  maxPerUser: number;
  /** Attempts per address across usernames (JOBDECK_LOGIN_MAX_PER_ADDRESS, default 20). */
  maxPerAddress: number;
  /** Attempts per username from all addresses before they are spaced (JOBDECK_LOGIN_SLOW_AFTER, default 5). */
  slowAfter: number;
  /** Spacing of those attempts (JOBDECK_LOGIN_DELAY_SECONDS, default 2; 0 turns it off). */
  spacingMs: number;
  /** Longest wait for a turn before an attempt is turned away (JOBDECK_LOGIN_MAX_WAIT_SECONDS, default 10). */
  maxWaitMs: number;
}

function intFromEnv(name: string, fallback: number, { min = 1 } = {}): number {
  const raw = process.env[name];
  if (raw === undefined || raw.trim() === "") return fallback;
  const value = Number(raw);
  if (!/^\s*\d+\s*$/.test(raw) || !Number.isSafeInteger(value) || value < min)
    throw new Error(`${name}="${raw}" must be a whole number of at least ${min}`);
  return value;
}

/** Reads the limits from the environment (defaults in LoginLimits). */
export function loginLimits(): LoginLimits {
  return {
    windowMs: intFromEnv("JOBDECK_LOGIN_WINDOW_MINUTES", 15) * 60_000,
    maxPerUser: intFromEnv("JOBDECK_LOGIN_MAX_PER_USER", 5),
    maxPerAddress: intFromEnv("JOBDECK_LOGIN_MAX_PER_ADDRESS", 20),
    slowAfter: intFromEnv("JOBDECK_LOGIN_SLOW_AFTER", 5),
    spacingMs: intFromEnv("JOBDECK_LOGIN_DELAY_SECONDS", 2, { min: 0 }) * 1000,
    maxWaitMs: intFromEnv("JOBDECK_LOGIN_MAX_WAIT_SECONDS", 10, { min: 0 }) * 1000,
  };
}

/** A counted attempt (wait `waitMs`, then check the password) or a refusal. */
export type LoginReservation =
  | { allowed: true; attemptId: number; waitMs: number }
  | { allowed: false; retryAfterMs: number; reason: "locked" | "busy" };

type Options = { now?: number; limits?: LoginLimits };

const key = (s: string) => s.toLowerCase().slice(0, 100);

/** When the `max`-th newest counted attempt matching `where` leaves the window; null if under max. */
function slotFreesAt(db: Db, where: string, params: unknown[], since: number, max: number) {
  const rows = db.$client
    .prepare(
      `SELECT attempted_at FROM login_attempts WHERE ${where} AND kind = 'attempt'
       AND attempted_at > ? ORDER BY attempted_at DESC LIMIT ?`,
    )
    .pluck()
    .all(...params, since, max) as number[];
  return rows.length >= max ? (rows[rows.length - 1] ?? null) : null;
}

function noteLockout(db: Db, address: string, username: string, now: number, since: number) {
  const marked = db.$client
    .prepare(
      `SELECT 1 FROM login_attempts WHERE username = ? AND address = ? AND kind = 'lockout'
       AND attempted_at > ?`,
    )
    .get(username, address, since);
  if (marked) return;
  db.$client
    .prepare(
      `INSERT INTO login_attempts (address, username, attempted_at, kind) VALUES (?, ?, ?, 'lockout')`,
    )
    .run(address, username, now);
  recordAudit(
    db,
    { actor: "anonymous", action: "session.lock-out", target: `user:${username}`, address },
    now,
  );
}

/**
 * Counts a sign-in for `username` from `address` before its password is checked: one IMMEDIATE
 * transaction, so it is atomic across connections and processes. The first refusal of a username
 * and address in a window is written to the audit log (`session.lock-out`).
 */
export function reserveLoginAttempt(
  db: Db,
  rawAddress: string,
  rawUsername: string,
  { now = Date.now(), limits = loginLimits() }: Options = {},
): LoginReservation {
  const address = rawAddress.slice(0, 100);
  const username = key(rawUsername);
  const since = now - limits.windowMs;
  return db.$client
    .transaction((): LoginReservation => {
      db.$client.prepare(`DELETE FROM login_attempts WHERE attempted_at <= ?`).run(since);
      const blockers = [
        slotFreesAt(
          db,
          "username = ? AND address = ?",
          [username, address],
          since,
          limits.maxPerUser,
        ),
        slotFreesAt(db, "address = ?", [address], since, limits.maxPerAddress),
      ].filter((t): t is number => t !== null);
      if (blockers.length > 0) {
        noteLockout(db, address, username, now, since);
        const retryAfterMs = Math.max(...blockers) + limits.windowMs - now;
        return { allowed: false, retryAfterMs, reason: "locked" };
      }
      const forUser = db.$client
        .prepare(
          `SELECT COUNT(*) AS n, MAX(attempted_at) AS latest FROM login_attempts
           WHERE username = ? AND kind = 'attempt' AND attempted_at > ?`,
        )
        .get(username, since) as { n: number; latest: number | null };
      // Past `slowAfter`, each attempt takes the next free turn: throughput per username is
      // bounded however many addresses an attacker has, and nobody is refused for long.
      const turn =
        forUser.n >= limits.slowAfter && forUser.latest !== null
          ? Math.max(now, forUser.latest + limits.spacingMs)
          : now;
      if (turn - now > limits.maxWaitMs) {
        return { allowed: false, retryAfterMs: turn - now - limits.maxWaitMs, reason: "busy" };
      }
      const info = db.$client
        .prepare(`INSERT INTO login_attempts (address, username, attempted_at) VALUES (?, ?, ?)`)
        .run(address, username, turn);
      return { allowed: true, attemptId: Number(info.lastInsertRowid), waitMs: turn - now };
    })
    .immediate();
}

/** After a right password: forgets that username's attempts and lock-out from that address. */
export function clearFailedLogins(db: Db, address: string, username: string): void {
  db.$client
    .prepare(`DELETE FROM login_attempts WHERE address = ? AND username = ?`)
    .run(address.slice(0, 100), key(username));
}

/**
 * Clears the sign-in limits of a username (from every address) and/or of an address; returns
 * how many rows were removed. Audited as `user.unlock` by `actor`.
 */
export function clearLoginLimits(
  db: Db,
  { username, address }: { username?: string; address?: string },
  actor: string,
): number {
  if (username === undefined && address === undefined)
    throw new Error("clearLoginLimits needs a username or an address");
  return db.$client
    .transaction(() => {
      const where: string[] = [];
      const params: string[] = [];
      if (username !== undefined) {
        where.push("username = ?");
        params.push(key(username));
      }
      if (address !== undefined) {
        where.push("address = ?");
        params.push(address.slice(0, 100));
      }
      const removed = db.$client
        .prepare(`DELETE FROM login_attempts WHERE ${where.join(" OR ")}`)
        .run(...params).changes;
      recordAudit(db, {
        actor,
        action: "user.unlock",
        target: username !== undefined ? `user:${key(username)}` : `address:${address}`,
        after: { username: username ?? null, address: address ?? null, cleared: removed },
      });
      return removed;
    })
    .immediate();
}

/** The outcome of a sign-in: the user, a wrong password (or unknown user), or a refusal. */
export type SignInCheck =
  | { ok: true; user: UserWithHash }
  | { ok: false; reason: "wrong" }
  | { ok: false; reason: "locked" | "busy"; retryAfterMs: number };

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/**
 * Checks a username and password under the limits: counts the attempt, waits its turn, verifies
 * (against a decoy hash for unknown users, so timing reveals nothing), then keeps the count on a
 * failure (audited as `session.sign-in-failed`) or clears this address's count on success.
 */
export async function checkSignIn(
  db: Db,
  { address, username, password }: { address: string; username: string; password: string },
  options: Options = {},
): Promise<SignInCheck> {
  const reservation = reserveLoginAttempt(db, address, username, options);
  if (!reservation.allowed) return { ok: false, ...reservation };
  if (reservation.waitMs > 0) await sleep(reservation.waitMs);
  const user = findUserForSignIn(db, username);
  const ok = await verifyPassword(password, user?.passwordHash ?? decoyHash());
  if (!user || !ok) {
    recordAudit(db, {
      actor: "anonymous",
      action: "session.sign-in-failed",
      target: `user:${key(username)}`,
      address: address.slice(0, 100),
    });
    return { ok: false, reason: "wrong" };
  }
  clearFailedLogins(db, address, username);
  return { ok: true, user };
}
