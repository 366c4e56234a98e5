/**
 * Sign-in limits on PostgreSQL. Like SQLite's IMMEDIATE transaction, a reservation counts the
 * attempt before its password is checked, atomically across connections, processes and hosts:
 * it takes two transaction-scoped advisory locks, one for the username and one for the address
 * (always in that order, so two reservations never wait on each other in a cycle), then reads
 * the window, decides with the shared arithmetic (planLoginReservation) and inserts. Every
 * reservation that could see the same counts waits for the one before it to commit, so however
 * many guesses arrive at once, exactly the allowed number are counted and checked.
 */
import type pg from "pg";
import { loginAddressKey, loginDeviceKey, loginUsernameKey } from "../../auth-rules";
import {
  checkClearInput,
  loginLimits,
  loginRequest,
  planLoginReservation,
  refusalAudit,
  runSignInCheck,
  unlockAudit,
  type AttemptSource,
  type LoginCheckOptions,
  type LoginFacts,
  type LoginReservation,
  type SignInCheck,
} from "../../queries/login-attempts";
import { dbNow } from "../client";
import { withTransaction } from "../tx";
import { recordAuditPg } from "./audit";
import { findUserForSignInPg } from "./auth";

/** Advisory lock classes (the first key of the two-key form) of the sign-in limits. */
const LOCK_USERNAME = 0x4a44_0001;
const LOCK_ADDRESS = 0x4a44_0002;

/** When the `$4`-th newest counted attempt matching `cond` (after `$3`) leaves the window; null if fewer. */
const slotFreesAt = (cond: string, max: string) =>
  `(SELECT attempted_at FROM login_attempts WHERE ${cond} AND kind = 'attempt'
    AND attempted_at > $3 ORDER BY attempted_at DESC OFFSET ${max} - 1 LIMIT 1)`;

/**
 * What planLoginReservation needs, in one statement: $1 username, $2 address, $3 since,
 * $4 device address (or null), $5 per-device, $6 per-user, $7 per-address limits.
 * `lower(… COLLATE "C")` folds ASCII only, as SQLite's LIKE does.
 */
const FACTS_SQL = `SELECT
  ${slotFreesAt("username = $1 AND address = $4", "$5::int")} AS device,
  ${slotFreesAt("username = $1 AND address = $2", "$6::int")} AS pair,
  ${slotFreesAt("address = $2", "$7::int")} AS address,
  (SELECT count(*) FROM login_attempts WHERE username = $1 AND kind = 'attempt'
    AND lower(address COLLATE "C") NOT LIKE 'device:%' AND attempted_at > $3) AS "userCount",
  (SELECT max(attempted_at) FROM login_attempts WHERE username = $1 AND kind = 'attempt'
    AND lower(address COLLATE "C") NOT LIKE 'device:%' AND attempted_at > $3) AS "userLatest"`;

/**
 * Counts a sign-in for `username` from `source` before its password is checked; see the header.
 * The first refusal of a username and address in a window is audited (`session.lock-out`), as is
 * the first "busy" of a username (`session.sign-in-throttled`).
 */
export async function reserveLoginAttemptPg(
  pool: pg.Pool,
  source: AttemptSource | string,
  rawUsername: string,
  { now: givenNow, limits = loginLimits() }: LoginCheckOptions = {},
): Promise<LoginReservation> {
  return withTransaction(pool, async (client) => {
    const keys = loginRequest(source, rawUsername, 0, limits);
    await client.query(`SELECT pg_advisory_xact_lock($1, hashtext($2))`, [
      LOCK_USERNAME,
      keys.username,
    ]);
    await client.query(`SELECT pg_advisory_xact_lock($1, hashtext($2))`, [
      LOCK_ADDRESS,
      keys.address,
    ]);
    // The clock is read after the locks: reservations of one key see ever later times.
    const now = givenNow ?? (await dbNow(client));
    const request = loginRequest(source, rawUsername, now, limits);
    const { address, username, since } = request;
    // Old rows of any key go; rows another reservation is deleting are left to it (no waiting).
    await client.query(
      `DELETE FROM login_attempts WHERE id IN (SELECT id FROM login_attempts
         WHERE attempted_at <= $1 FOR UPDATE SKIP LOCKED)`,
      [since],
    );
    const { rows } = await client.query<LoginFacts>(FACTS_SQL, [
      username,
      address,
      since,
      request.device,
      limits.maxPerDevice ?? 5,
      limits.maxPerUser,
      limits.maxPerAddress,
    ]);
    const plan = planLoginReservation(rows[0]!, request, now, limits);
    if (!plan.allowed) {
      const marked = await client.query(
        `SELECT 1 FROM login_attempts WHERE username = $1 AND address = $2 AND kind = 'lockout'
         AND attempted_at > $3`,
        [username, plan.marker, since],
      );
      if (marked.rowCount === 0) {
        await client.query(
          `INSERT INTO login_attempts (address, username, attempted_at, kind) VALUES ($1, $2, $3, 'lockout')`,
          [plan.marker, username, now],
        );
        await recordAuditPg(client, refusalAudit(plan.marker, username, address), now);
      }
      return { allowed: false, retryAfterMs: plan.retryAfterMs, reason: plan.reason };
    }
    const inserted = await client.query<{ id: number }>(
      `INSERT INTO login_attempts (address, username, attempted_at) VALUES ($1, $2, $3) RETURNING id`,
      [plan.address, username, plan.at],
    );
    return {
      allowed: true,
      attemptId: inserted.rows[0]!.id,
      waitMs: plan.waitMs,
      device: plan.device,
    };
  });
}

/** After a right password: forgets that username's attempts from that address and device. */
export async function clearFailedLoginsPg(
  pool: pg.Pool,
  address: string,
  username: string,
  device: string | null = null,
): Promise<void> {
  await pool.query(`DELETE FROM login_attempts WHERE username = $1 AND address IN ($2, $3)`, [
    loginUsernameKey(username),
    loginAddressKey(address),
    device ? loginDeviceKey(device) : loginAddressKey(address),
  ]);
}

/**
 * Clears the sign-in limits of a username (from every address) and/or of an address; returns
 * how many rows were removed. Audited as `user.unlock` by `actor`.
 */
export async function clearLoginLimitsPg(
  pool: pg.Pool,
  { username, address }: { username?: string; address?: string },
  actor: string,
): Promise<number> {
  checkClearInput({ username, address });
  return withTransaction(pool, async (client) => {
    const removed = await client.query(
      `DELETE FROM login_attempts WHERE ($1::text IS NOT NULL AND username = $1)
         OR ($2::text IS NOT NULL AND address = $2)`,
      [
        username === undefined ? null : loginUsernameKey(username),
        address === undefined ? null : address.slice(0, 100),
      ],
    );
    const count = removed.rowCount ?? 0;
    await recordAuditPg(client, unlockAudit(actor, { username, address }, count));
    return count;
  });
}

/** Checks a username and password under the limits (the shared steps of runSignInCheck). */
export async function checkSignInPg(
  pool: pg.Pool,
  input: AttemptSource & { username: string; password: string },
  options: LoginCheckOptions = {},
): Promise<SignInCheck> {
  return runSignInCheck(
    {
      reserve: (source, username) => reserveLoginAttemptPg(pool, source, username, options),
      findUser: (username) => findUserForSignInPg(pool, username),
      recordFailure: (entry) => recordAuditPg(pool, entry),
      clear: (address, username, device) => clearFailedLoginsPg(pool, address, username, device),
    },
    input,
  );
}
