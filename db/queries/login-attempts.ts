/**
 * Sign-in limits. Every sign-in is counted in one IMMEDIATE transaction *before* its password is
 * checked (a reservation), so parallel guesses from any number of connections or processes can
 * never all be checked: the limit holds exactly. A wrong password keeps its row; a right one
 * deletes that username's rows from that address (and that device).
 *
 * Limits over a sliding window:
 * - per username *and* address (default 5) and per address (default 20, across usernames): refuse
 *   that pair / address until the window frees a slot. Only when the address is known
 *   (`addressKnown`: a trusted proxy set it); a client talking to the server directly can claim
 *   any address, including its victim's, so then no address is refused;
 * - per username from every address (after 5): spaces the attempts (default 2 s apart, each
 *   waiting its turn up to 10 s); when turns are booked further ahead, the attempt is turned away
 *   ("busy", not counted; the first per username and window is audited). Guesses for a username
 *   are bounded however many addresses an attacker has, but an attacker can keep the queue full;
 * - a known device (a valid signed `jobdeck_device` cookie for this username, from an earlier
 *   successful sign-in) is exempt from both of the above, so an attack cannot shut the real user
 *   out of a browser she has signed in from before. It has its own budget (default 5 attempts per
 *   window, a right password resets it); past that, the cookie counts for nothing until the window
 *   frees a slot.
 *
 * Rows: `kind = 'attempt'` counts; device attempts have `address = 'device:<id>'`; markers
 * (`kind = 'lockout'`) note the first refusal of a pair, or with `address = '*'` the first "busy"
 * of a username, so the audit log gets one entry per window, not one per refused try.
 */
import { loginAddressKey, loginDeviceKey, loginUsernameKey } from "../auth-rules";
import { decoyHash, verifyPassword } from "../passwords";
import type { Db } from "../client";
import { recordAudit, type AuditInput } from "./audit";
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
  /** Attempts per known device (device cookie) before it counts for nothing (JOBDECK_LOGIN_MAX_PER_DEVICE, default 5). */
  maxPerDevice?: number;
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
    maxPerDevice: intFromEnv("JOBDECK_LOGIN_MAX_PER_DEVICE", 5),
  };
}

/** A counted attempt (wait `waitMs`, then check the password) or a refusal. */
export type LoginReservation =
  | { allowed: true; attemptId: number; waitMs: number; device: boolean }
  | { allowed: false; retryAfterMs: number; reason: "locked" | "busy" };

/** Test and tuning options of a sign-in check: the clock and the limits. */
export type LoginCheckOptions = { now?: number; limits?: LoginLimits };

/** Where an attempt comes from, as far as the server can tell. */
export type AttemptSource = {
  /** The client address (for the audit log; for limits only when `addressKnown`). */
  address: string;
  /**
   * Whether `address` is the real client address (a trusted proxy set it). Default true; false
   * turns the per-address limits off, since a claimed address could be the victim's.
   */
  addressKnown?: boolean;
  /** The id of a device cookie verified for this username (app/_lib/session-cookie.ts deviceIdFor). */
  device?: string | null;
};

const key = loginUsernameKey;
const addressKey = loginAddressKey;
const deviceKey = loginDeviceKey;

/** A reservation's request, normalised: the stored keys, and where the window starts. */
export function loginRequest(
  source: AttemptSource | string,
  rawUsername: string,
  now: number,
  limits: LoginLimits,
) {
  const {
    address: rawAddress,
    addressKnown = true,
    device = null,
  } = typeof source === "string" ? { address: source } : source;
  return {
    address: addressKey(rawAddress),
    addressKnown,
    /** The device's stored address (`device:<id>`), or null. */
    device: device ? deviceKey(device) : null,
    username: key(rawUsername),
    since: now - limits.windowMs,
  };
}

/**
 * What a reservation reads (inside its transaction, after deleting rows that left the window):
 * when a slot frees for the device's budget, the username and address pair, and the address (each
 * null while under its limit), and the username's non-device attempts in the window.
 */
export interface LoginFacts {
  device: number | null;
  pair: number | null;
  address: number | null;
  userCount: number;
  userLatest: number | null;
}

/** What a reservation does: count an attempt (`address` and `at` of its row), or refuse. */
export type LoginPlan =
  | { allowed: true; address: string; at: number; waitMs: number; device: boolean }
  | { allowed: false; retryAfterMs: number; reason: "locked" | "busy"; marker: string };

/** The limits' arithmetic: what a reservation does given what it read. */
export function planLoginReservation(
  facts: LoginFacts,
  request: ReturnType<typeof loginRequest>,
  now: number,
  limits: LoginLimits,
): LoginPlan {
  // Within its budget a known device goes first: no queue, no address limit.
  if (request.device && facts.device === null)
    return { allowed: true, address: request.device, at: now, waitMs: 0, device: true };
  const blockers = request.addressKnown
    ? [facts.pair, facts.address].filter((t): t is number => t !== null)
    : [];
  if (blockers.length > 0) {
    const retryAfterMs = Math.max(...blockers) + limits.windowMs - now;
    return { allowed: false, retryAfterMs, reason: "locked", marker: request.address };
  }
  // Past `slowAfter`, each attempt takes the next free turn: throughput per username is
  // bounded however many addresses an attacker has.
  const turn =
    facts.userCount >= limits.slowAfter && facts.userLatest !== null
      ? Math.max(now, facts.userLatest + limits.spacingMs)
      : now;
  if (turn - now > limits.maxWaitMs) {
    const retryAfterMs = turn - now - limits.maxWaitMs;
    return { allowed: false, retryAfterMs, reason: "busy", marker: "*" };
  }
  return { allowed: true, address: request.address, at: turn, waitMs: turn - now, device: false };
}

/** The audit entry of a window's first refusal: of a pair (`session.lock-out`), or with marker `*` of a full queue. */
export function refusalAudit(marker: string, username: string, address: string): AuditInput {
  const action = marker === "*" ? "session.sign-in-throttled" : "session.lock-out";
  return { actor: "anonymous", action, target: `user:${username}`, address };
}

/** The audit entry of a wrong password (or unknown user). */
export function signInFailedAudit(username: string, address: string): AuditInput {
  return {
    actor: "anonymous",
    action: "session.sign-in-failed",
    target: `user:${key(username)}`,
    address: address.slice(0, 100),
  };
}

/** The audit entry of clearing limits by hand. */
export function unlockAudit(
  actor: string,
  { username, address }: { username?: string; address?: string },
  removed: number,
): AuditInput {
  return {
    actor,
    action: "user.unlock",
    target: username !== undefined ? `user:${key(username)}` : `address:${address}`,
    after: { username: username ?? null, address: address ?? null, cleared: removed },
  };
}

/** Throws unless clearLoginLimits was given something to clear. */
export function checkClearInput(input: { username?: string; address?: string }): void {
  if (input.username === undefined && input.address === undefined)
    throw new Error("clearLoginLimits needs a username or an address");
}

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

/**
 * Writes the marker and the audit entry for the first refusal in a window: of a username and
 * address (`session.lock-out`), or, with `marker = "*"`, of a username's full queue
 * (`session.sign-in-throttled`).
 */
function noteRefusal(
  db: Db,
  { address, username, marker }: { address: string; username: string; marker: string },
  now: number,
  since: number,
) {
  const marked = db.$client
    .prepare(
      `SELECT 1 FROM login_attempts WHERE username = ? AND address = ? AND kind = 'lockout'
       AND attempted_at > ?`,
    )
    .get(username, marker, since);
  if (marked) return;
  db.$client
    .prepare(
      `INSERT INTO login_attempts (address, username, attempted_at, kind) VALUES (?, ?, ?, 'lockout')`,
    )
    .run(marker, username, now);
  recordAudit(db, refusalAudit(marker, username, address), now);
}

/**
 * Counts a sign-in for `username` from `source` before its password is checked: one IMMEDIATE
 * transaction, so it is atomic across connections and processes. The first refusal of a username
 * and address in a window is audited (`session.lock-out`), as is the first "busy" of a username
 * (`session.sign-in-throttled`).
 */
export function reserveLoginAttempt(
  db: Db,
  source: AttemptSource | string,
  rawUsername: string,
  { now = Date.now(), limits = loginLimits() }: LoginCheckOptions = {},
): LoginReservation {
  const request = loginRequest(source, rawUsername, now, limits);
  const { address, username, since } = request;
  return db.$client
    .transaction((): LoginReservation => {
      db.$client.prepare(`DELETE FROM login_attempts WHERE attempted_at <= ?`).run(since);
      const pairWhere = "username = ? AND address = ?";
      const forUser = db.$client
        .prepare(
          `SELECT COUNT(*) AS n, MAX(attempted_at) AS latest FROM login_attempts
           WHERE username = ? AND kind = 'attempt' AND address NOT LIKE 'device:%'
           AND attempted_at > ?`,
        )
        .get(username, since) as { n: number; latest: number | null };
      const plan = planLoginReservation(
        {
          device: request.device
            ? slotFreesAt(
                db,
                pairWhere,
                [username, request.device],
                since,
                limits.maxPerDevice ?? 5,
              )
            : null,
          pair: slotFreesAt(db, pairWhere, [username, address], since, limits.maxPerUser),
          address: slotFreesAt(db, "address = ?", [address], since, limits.maxPerAddress),
          userCount: forUser.n,
          userLatest: forUser.latest,
        },
        request,
        now,
        limits,
      );
      if (!plan.allowed) {
        noteRefusal(db, { address, username, marker: plan.marker }, now, since);
        return { allowed: false, retryAfterMs: plan.retryAfterMs, reason: plan.reason };
      }
      const attemptId = Number(
        db.$client
          .prepare(`INSERT INTO login_attempts (address, username, attempted_at) VALUES (?, ?, ?)`)
          .run(plan.address, username, plan.at).lastInsertRowid,
      );
      return { allowed: true, attemptId, waitMs: plan.waitMs, device: plan.device };
    })
    .immediate();
}

/** After a right password: forgets that username's attempts from that address and device. */
export function clearFailedLogins(
  db: Db,
  address: string,
  username: string,
  device: string | null = null,
): void {
  db.$client
    .prepare(`DELETE FROM login_attempts WHERE username = ? AND address IN (?, ?)`)
    .run(key(username), addressKey(address), device ? deviceKey(device) : addressKey(address));
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
  checkClearInput({ username, address });
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
      recordAudit(db, unlockAudit(actor, { username, address }, removed));
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
 * failure (audited as `session.sign-in-failed`) or clears this address's and device's count on
 * success.
 */
export async function checkSignIn(
  db: Db,
  input: AttemptSource & { username: string; password: string },
  options: LoginCheckOptions = {},
): Promise<SignInCheck> {
  return runSignInCheck(
    {
      reserve: (source, username) => reserveLoginAttempt(db, source, username, options),
      findUser: (username) => findUserForSignIn(db, username),
      recordFailure: (entry) => recordAudit(db, entry),
      clear: (address, username, device) => clearFailedLogins(db, address, username, device),
    },
    input,
  );
}

/** The database steps of a sign-in check, as each store does them. */
export interface SignInSteps {
  reserve(source: AttemptSource, username: string): LoginReservation | Promise<LoginReservation>;
  findUser(username: string): UserWithHash | null | Promise<UserWithHash | null>;
  recordFailure(entry: AuditInput): unknown;
  clear(address: string, username: string, device: string | null): unknown;
}

/**
 * The sign-in check's order of steps, shared by both stores: reserve, wait the turn, verify
 * (against a decoy hash for unknown users), then audit the failure or clear the counts.
 */
export async function runSignInCheck(
  steps: SignInSteps,
  {
    address,
    addressKnown,
    device = null,
    username,
    password,
  }: AttemptSource & { username: string; password: string },
): Promise<SignInCheck> {
  const reservation = await steps.reserve({ address, addressKnown, device }, username);
  if (!reservation.allowed) return { ok: false, ...reservation };
  if (reservation.waitMs > 0) await sleep(reservation.waitMs);
  const user = await steps.findUser(username);
  const ok = await verifyPassword(password, user?.passwordHash ?? decoyHash());
  if (!user || !ok) {
    await steps.recordFailure(signInFailedAudit(username, address));
    return { ok: false, reason: "wrong" };
  }
  await steps.clear(address, username, reservation.device ? device : null);
  return { ok: true, user };
}
