/**
 * Users, sessions, API tokens and the session secret on PostgreSQL: the SQL of the auth store.
 * The rules (checks, error texts, audit entries, session and token decisions) come from
 * db/auth-rules.ts, shared with the SQLite queries; times default to the database's clock.
 * Where SQLite relied on its single writer, this side uses a unique index with ON CONFLICT
 * (usernames, the session secret), row locks (changes of one user or token) and an advisory
 * lock (the first admin).
 */
import type pg from "pg";
import {
  INITIAL_ADMIN,
  SESSION_SECRET_KEY,
  checkTokenName,
  hashApiToken,
  hashSessionToken,
  isApiTokenShaped,
  loginUsernameKey,
  newApiToken,
  newSession,
  newSessionSecret,
  noSuchToken,
  noSuchUser,
  sessionAudit,
  sessionSecretFromEnv,
  sessionVerdict,
  tokenAudit,
  tokenRevoked,
  tokenUseDue,
  userAudit,
  userTaken,
} from "../../auth-rules";
import { generatePassword, hashPasswordSync } from "../../passwords";
import type { ApiTokenInfo } from "../../queries/api-tokens";
import { sessionLifetimes, type SessionLifetimes, type SessionOwner } from "../../queries/sessions";
import { checkRole, checkUsername, type UserInfo, type UserWithHash } from "../../queries/users";
import type { UserRole } from "../../schema";
import { DB_NOW_MS, dbNow, type Queryable } from "../client";
import { withTransaction } from "../tx";
import { recordAuditPg } from "./audit";

/** `now` given by the caller, else the database's clock (SQL of a bigint). */
const NOW_OR_DB = (param: string) => `coalesce(${param}::bigint, ${DB_NOW_MS})`;

// ---------------------------------------------------------------------------------------------
// Users

const USER_COLUMNS = `id, username, role, created_at AS "createdAt", updated_at AS "updatedAt"`;

/** The user with this username (case-sensitive), with the hash; null when none. */
export async function findUserForSignInPg(
  q: Queryable,
  username: string,
): Promise<UserWithHash | null> {
  const { rows } = await q.query<UserWithHash>(
    `SELECT ${USER_COLUMNS}, password_hash AS "passwordHash" FROM users WHERE username = $1`,
    [username],
  );
  return rows[0] ?? null;
}

/** The user with this id; null when none. */
export async function getUserByIdPg(q: Queryable, id: number): Promise<UserInfo | null> {
  const { rows } = await q.query<UserInfo>(`SELECT ${USER_COLUMNS} FROM users WHERE id = $1`, [id]);
  return rows[0] ?? null;
}

/** The user with this username; null when none. */
export async function getUserByUsernamePg(
  q: Queryable,
  username: string,
): Promise<UserInfo | null> {
  const { rows } = await q.query<UserInfo>(
    `SELECT ${USER_COLUMNS} FROM users WHERE username = $1`,
    [username],
  );
  return rows[0] ?? null;
}

/** Every user, by username (byte order, as SQLite sorts). */
export async function listUsersPg(q: Queryable): Promise<UserInfo[]> {
  const { rows } = await q.query<UserInfo>(
    `SELECT ${USER_COLUMNS} FROM users ORDER BY username COLLATE "C"`,
  );
  return rows;
}

/** How many users exist. */
export async function countUsersPg(q: Queryable): Promise<number> {
  const { rows } = await q.query<{ n: number }>(`SELECT count(*) AS n FROM users`);
  return rows[0]!.n;
}

/** Creates a user from an already computed hash; throws InputError when the name is taken. */
export async function createUserPg(
  pool: pg.Pool,
  input: { username: string; passwordHash: string; role: UserRole },
  actor: string,
): Promise<UserInfo> {
  const username = checkUsername(input.username);
  const role = checkRole(input.role);
  return withTransaction(pool, async (client) => {
    // The unique index decides between concurrent creators of one name.
    const { rows } = await client.query<UserInfo>(
      `INSERT INTO users (username, password_hash, role, created_at, updated_at)
       SELECT $1, $2, $3, n, n FROM (SELECT ${DB_NOW_MS} AS n) AS t
       ON CONFLICT (username) DO NOTHING RETURNING ${USER_COLUMNS}`,
      [username, input.passwordHash, role],
    );
    const user = rows[0];
    if (!user) throw userTaken(username);
    await recordAuditPg(client, userAudit.create(actor, username, role));
    return user;
  });
}

/** The user row locked for a change in this transaction; throws when no such user. */
async function lockUser(client: pg.PoolClient, username: string): Promise<UserInfo> {
  const { rows } = await client.query<UserInfo>(
    `SELECT ${USER_COLUMNS} FROM users WHERE username = $1 FOR UPDATE`,
    [username],
  );
  if (!rows[0]) throw noSuchUser(username);
  return rows[0];
}

/** Replaces a user's password hash, ends all of their sessions and lifts their sign-in limits. */
export async function setUserPasswordPg(
  pool: pg.Pool,
  username: string,
  passwordHash: string,
  actor: string,
): Promise<void> {
  await withTransaction(pool, async (client) => {
    const user = await lockUser(client, username);
    await client.query(
      `UPDATE users SET password_hash = $1, updated_at = ${DB_NOW_MS} WHERE id = $2`,
      [passwordHash, user.id],
    );
    await client.query(`DELETE FROM sessions WHERE user_id = $1`, [user.id]);
    await client.query(`DELETE FROM login_attempts WHERE username = $1`, [
      loginUsernameKey(username),
    ]);
    await recordAuditPg(client, userAudit.password(actor, username));
  });
}

/** Changes a user's role and ends their sessions (so the new role applies at once). */
export async function setUserRolePg(
  pool: pg.Pool,
  username: string,
  role: UserRole,
  actor: string,
): Promise<void> {
  checkRole(role);
  await withTransaction(pool, async (client) => {
    const user = await lockUser(client, username);
    await client.query(`UPDATE users SET role = $1, updated_at = ${DB_NOW_MS} WHERE id = $2`, [
      role,
      user.id,
    ]);
    await client.query(`DELETE FROM sessions WHERE user_id = $1`, [user.id]);
    await recordAuditPg(client, userAudit.role(actor, username, user.role, role));
  });
}

/** Removes a user (their sessions go with them); throws when no such user. */
export async function deleteUserPg(pool: pg.Pool, username: string, actor: string): Promise<void> {
  await withTransaction(pool, async (client) => {
    const user = await lockUser(client, username);
    await client.query(`DELETE FROM sessions WHERE user_id = $1`, [user.id]);
    await client.query(`DELETE FROM users WHERE id = $1`, [user.id]);
    await recordAuditPg(client, userAudit.delete(actor, username, user.role));
  });
}

/**
 * On a database with no users, creates the first admin with a random password and returns the
 * credentials; null when users exist. Many processes on many hosts may start at once: the count
 * and the insert run under one transaction-scoped advisory lock, so exactly one of them creates it.
 */
export async function ensureInitialAdminPg(
  pool: pg.Pool,
): Promise<{ username: string; password: string } | null> {
  if ((await countUsersPg(pool)) > 0) return null;
  const password = generatePassword();
  const passwordHash = hashPasswordSync(password);
  return withTransaction(pool, async (client) => {
    await client.query(`SELECT pg_advisory_xact_lock(hashtext('jobdeck.initial-admin'))`);
    if ((await countUsersPg(client)) > 0) return null;
    await client.query(
      `INSERT INTO users (username, password_hash, role, created_at, updated_at)
       SELECT $1, $2, 'admin', n, n FROM (SELECT ${DB_NOW_MS} AS n) AS t`,
      [INITIAL_ADMIN, passwordHash],
    );
    await recordAuditPg(client, userAudit.initialAdmin());
    return { username: INITIAL_ADMIN, password };
  });
}

// ---------------------------------------------------------------------------------------------
// Sessions

type SessionOptions = { now?: number; lifetimes?: SessionLifetimes };

/** Creates a session for a user; returns the token for the cookie (shown nowhere else). */
export async function createSessionPg(
  q: Queryable,
  userId: number,
  { now, lifetimes = sessionLifetimes() }: SessionOptions = {},
): Promise<{ token: string; expiresAt: number }> {
  const at = now ?? (await dbNow(q));
  const { token, id, expiresAt } = newSession(at, lifetimes.absoluteMs);
  await q.query(
    `INSERT INTO sessions (id, user_id, created_at, expires_at, last_seen_at) VALUES ($1, $2, $3, $4, $3)`,
    [id, userId, at, expiresAt],
  );
  return { token, expiresAt };
}

/** Signs a user in: creates the session and records `session.sign-in`, in one transaction. */
export async function startSessionPg(
  pool: pg.Pool,
  user: { id: number; username: string },
  address: string | null = null,
  options: SessionOptions = {},
): Promise<{ token: string; expiresAt: number }> {
  return withTransaction(pool, async (client) => {
    const session = await createSessionPg(client, user.id, options);
    await recordAuditPg(client, sessionAudit.signIn(user.username, address));
    return session;
  });
}

/**
 * The user of a live session, or null (an ended session's row is deleted). Refreshes
 * last_seen_at at most once a minute: most requests are one read.
 */
export async function getSessionOwnerPg(
  q: Queryable,
  token: string,
  { now, lifetimes = sessionLifetimes() }: SessionOptions = {},
): Promise<SessionOwner | null> {
  const id = hashSessionToken(token);
  const { rows } = await q.query<{
    id: number;
    username: string;
    role: UserRole;
    expiresAt: number;
    lastSeenAt: number;
    now: number;
  }>(
    `SELECT u.id, u.username, u.role, s.expires_at AS "expiresAt", s.last_seen_at AS "lastSeenAt",
       ${NOW_OR_DB("$2")} AS now
     FROM sessions s JOIN users u ON u.id = s.user_id WHERE s.id = $1`,
    [id, now ?? null],
  );
  const row = rows[0];
  if (!row) return null;
  const verdict = sessionVerdict(row, row.now, lifetimes.idleMs);
  if (verdict === "ended") {
    await q.query(`DELETE FROM sessions WHERE id = $1`, [id]);
    return null;
  }
  if (verdict === "touch") {
    await q.query(`UPDATE sessions SET last_seen_at = $1 WHERE id = $2`, [row.now, id]);
  }
  return { id: row.id, username: row.username, role: row.role, sessionExpiresAt: row.expiresAt };
}

/** Ends one session (sign-out, or rotation at sign-in). */
export async function deleteSessionPg(q: Queryable, token: string): Promise<void> {
  await q.query(`DELETE FROM sessions WHERE id = $1`, [hashSessionToken(token)]);
}

/**
 * Signs out: ends the session and, when it was still live, records `session.sign-out`, in one
 * transaction. The DELETE … RETURNING decides: of two sign-outs at once only one sees the row.
 */
export async function endSessionPg(
  pool: pg.Pool,
  token: string,
  address: string | null = null,
  { now, lifetimes = sessionLifetimes() }: SessionOptions = {},
): Promise<boolean> {
  return withTransaction(pool, async (client) => {
    const { rows } = await client.query<{
      username: string;
      expiresAt: number;
      lastSeenAt: number;
      now: number;
    }>(
      `DELETE FROM sessions s USING users u WHERE s.id = $1 AND u.id = s.user_id
       RETURNING u.username, s.expires_at AS "expiresAt", s.last_seen_at AS "lastSeenAt",
         ${NOW_OR_DB("$2")} AS now`,
      [hashSessionToken(token), now ?? null],
    );
    const row = rows[0];
    if (!row) return false;
    if (sessionVerdict(row, row.now, lifetimes.idleMs) === "ended") return false;
    await recordAuditPg(client, sessionAudit.signOut(row.username, address));
    return true;
  });
}

/** Deletes sessions past their absolute expiry or idle limit; returns how many. */
export async function pruneSessionsPg(
  q: Queryable,
  { now, lifetimes = sessionLifetimes() }: SessionOptions = {},
): Promise<number> {
  const result = await q.query(
    `WITH t AS (SELECT ${NOW_OR_DB("$1")} AS n)
     DELETE FROM sessions USING t WHERE expires_at <= t.n OR last_seen_at <= t.n - $2::bigint`,
    [now ?? null, lifetimes.idleMs],
  );
  return result.rowCount ?? 0;
}

/**
 * The key that signs session cookies: JOBDECK_SECRET when set, else the secret kept in
 * `settings`, generated on first use. ON CONFLICT DO NOTHING: processes starting at once on any
 * host all read back the first one written.
 */
export async function getSessionSecretPg(q: Queryable): Promise<string> {
  const fromEnv = sessionSecretFromEnv();
  if (fromEnv !== null) return fromEnv;
  const read = async () =>
    (
      await q.query<{ value: string }>(`SELECT value FROM settings WHERE key = $1`, [
        SESSION_SECRET_KEY,
      ])
    ).rows[0]?.value;
  const existing = await read();
  if (existing) return existing;
  await q.query(`INSERT INTO settings (key, value) VALUES ($1, $2) ON CONFLICT (key) DO NOTHING`, [
    SESSION_SECRET_KEY,
    newSessionSecret(),
  ]);
  return (await read())!;
}

// ---------------------------------------------------------------------------------------------
// API tokens

const TOKEN_COLUMNS = `id, name, role, created_by AS "createdBy", created_at AS "createdAt",
  last_used_at AS "lastUsedAt", revoked_at AS "revokedAt"`;

/** Creates a token; returns it (shown once) with its description. */
export async function createApiTokenPg(
  pool: pg.Pool,
  input: { name: string; role: UserRole; createdBy?: number | null },
  actor: string,
): Promise<{ token: string; info: ApiTokenInfo }> {
  const name = checkTokenName(input.name);
  const role = checkRole(input.role);
  const { token, hash } = newApiToken();
  return withTransaction(pool, async (client) => {
    const { rows } = await client.query<ApiTokenInfo>(
      `INSERT INTO api_tokens (name, token_hash, role, created_by, created_at)
       VALUES ($1, $2, $3, $4, ${DB_NOW_MS}) RETURNING ${TOKEN_COLUMNS}`,
      [name, hash, role, input.createdBy ?? null],
    );
    const info = rows[0]!;
    await recordAuditPg(client, tokenAudit.create(actor, info.id, name, role));
    return { token, info };
  });
}

/** Every token, newest first (revoked ones included, marked). */
export async function listApiTokensPg(q: Queryable): Promise<ApiTokenInfo[]> {
  const { rows } = await q.query<ApiTokenInfo>(
    `SELECT ${TOKEN_COLUMNS} FROM api_tokens ORDER BY id DESC`,
  );
  return rows;
}

/** Revokes a token; throws InputError when there is no such live token. */
export async function revokeApiTokenPg(pool: pg.Pool, id: number, actor: string): Promise<void> {
  await withTransaction(pool, async (client) => {
    const { rows } = await client.query<ApiTokenInfo>(
      `SELECT ${TOKEN_COLUMNS} FROM api_tokens WHERE id = $1 FOR UPDATE`,
      [id],
    );
    const row = rows[0];
    if (!row) throw noSuchToken(id);
    if (row.revokedAt !== null) throw tokenRevoked(id);
    await client.query(`UPDATE api_tokens SET revoked_at = ${DB_NOW_MS} WHERE id = $1`, [id]);
    await recordAuditPg(client, tokenAudit.revoke(actor, id, row.name));
  });
}

/**
 * The live token matching a presented bearer token, or null: looked up by hash through the
 * unique index. Writes last_used_at at most once a minute.
 */
export async function findApiTokenPg(
  q: Queryable,
  token: string,
  now?: number,
): Promise<ApiTokenInfo | null> {
  if (!isApiTokenShaped(token)) return null;
  const { rows } = await q.query<ApiTokenInfo & { now: number }>(
    `SELECT ${TOKEN_COLUMNS}, ${NOW_OR_DB("$2")} AS now
     FROM api_tokens WHERE token_hash = $1 AND revoked_at IS NULL`,
    [hashApiToken(token), now ?? null],
  );
  const found = rows[0];
  if (!found) return null;
  const { now: at, ...row } = found;
  if (tokenUseDue(row.lastUsedAt, at)) {
    await q.query(`UPDATE api_tokens SET last_used_at = $1 WHERE id = $2`, [at, row.id]);
  }
  return row;
}
