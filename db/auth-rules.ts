/**
 * The dialect-neutral rules of users, sessions and API tokens: input checks, error texts, the
 * audit entries each change records, and the time decisions (is a session live, is a touch due).
 * The SQLite queries (db/queries/{users,sessions,api-tokens}.ts) and the PostgreSQL ones
 * (db/pg/queries/auth.ts) both use them, so the two stores cannot drift apart. No database here.
 */
import { createHash, randomBytes } from "node:crypto";
import { InputError } from "./errors";
import { textProblem } from "./limits";
import type { AuditInput } from "./queries/audit";
import type { UserRole } from "./schema";

/** InputError for a username already taken. */
export const userTaken = (username: string) =>
  new InputError(`A user named "${username}" already exists`, "username");

/** InputError for a username that matches no user. */
export const noSuchUser = (username: string) =>
  new InputError(`No user named "${username}"`, "username");

/** The name `ensureInitialAdmin` gives the first user. */
export const INITIAL_ADMIN = "admin";

/** The audit entries of user changes. */
export const userAudit = {
  create: (actor: string, username: string, role: UserRole): AuditInput => ({
    actor,
    action: "user.create",
    target: `user:${username}`,
    after: { role },
  }),
  initialAdmin: (): AuditInput => ({
    actor: "system",
    action: "user.create",
    target: `user:${INITIAL_ADMIN}`,
    after: { role: "admin", reason: "first start" },
  }),
  password: (actor: string, username: string): AuditInput => ({
    actor,
    action: "user.password",
    target: `user:${username}`,
  }),
  role: (actor: string, username: string, before: UserRole, after: UserRole): AuditInput => ({
    actor,
    action: "user.role",
    target: `user:${username}`,
    before: { role: before },
    after: { role: after },
  }),
  delete: (actor: string, username: string, role: UserRole): AuditInput => ({
    actor,
    action: "user.delete",
    target: `user:${username}`,
    before: { role },
  }),
};

/** last_seen_at is written at most this often, so reads do not turn into writes on every request. */
export const SESSION_TOUCH_INTERVAL_MS = 60_000;

/** SHA-256 (hex) of a session token: the sessions table's id. */
export function hashSessionToken(token: string): string {
  return createHash("sha256").update(token).digest("hex");
}

/** A new session's token (for the cookie), its row id and its absolute expiry. */
export function newSession(now: number, absoluteMs: number) {
  const token = randomBytes(32).toString("base64url");
  return { token, id: hashSessionToken(token), expiresAt: now + absoluteMs };
}

/**
 * What a read of a session row means at `now`: `ended` (past its absolute expiry or idle too
 * long: delete it), `touch` (live, and last_seen_at is due a refresh) or `live`.
 */
export function sessionVerdict(
  row: { expiresAt: number; lastSeenAt: number },
  now: number,
  idleMs: number,
): "ended" | "touch" | "live" {
  if (now >= row.expiresAt || now - row.lastSeenAt >= idleMs) return "ended";
  return now - row.lastSeenAt >= SESSION_TOUCH_INTERVAL_MS ? "touch" : "live";
}

/** The audit entries of signing in and out. */
export const sessionAudit = {
  signIn: (username: string, address: string | null): AuditInput => ({
    actor: username,
    action: "session.sign-in",
    target: `user:${username}`,
    address,
  }),
  signOut: (username: string, address: string | null): AuditInput => ({
    actor: username,
    action: "session.sign-out",
    target: `user:${username}`,
    address,
  }),
};

/** The settings key of the generated cookie-signing secret. */
export const SESSION_SECRET_KEY = "session_secret";

/** JOBDECK_SECRET when set (throws when shorter than 32 characters); null when unset. */
export function sessionSecretFromEnv(): string | null {
  const fromEnv = process.env.JOBDECK_SECRET;
  if (fromEnv === undefined || fromEnv === "") return null;
  if (fromEnv.length < 32) throw new Error("JOBDECK_SECRET must be at least 32 characters long");
  return fromEnv;
}

/** A new random session secret. */
export const newSessionSecret = () => randomBytes(32).toString("base64url");

/** Every API token starts with this, so leaked tokens are easy to recognise and scan for. */
export const TOKEN_PREFIX = "jdk_";

/** SHA-256 (hex) of an API token: what the table stores. */
export function hashApiToken(token: string): string {
  return createHash("sha256").update(token).digest("hex");
}

/** A new API token (shown once) and its stored hash. */
export function newApiToken() {
  const token = TOKEN_PREFIX + randomBytes(32).toString("base64url");
  return { token, hash: hashApiToken(token) };
}

/** Throws InputError (field "name") unless a token name is 1-100 printable characters; returns it trimmed. */
export function checkTokenName(raw: string): string {
  const name = raw.trim();
  if (name === "" || name.length > 100 || /[\u0000-\u001f\u007f]/.test(name)) {
    throw new InputError("A token name is 1 to 100 printable characters", "name");
  }
  const problem = textProblem(name);
  if (problem) throw new InputError(`A token name ${problem}`, "name");
  return name;
}

/** Whether a presented bearer token could be one of ours at all (checked before any lookup). */
export const isApiTokenShaped = (token: string) =>
  token.startsWith(TOKEN_PREFIX) && token.length <= 200;

/** last_used_at is written at most this often. */
export const TOKEN_LAST_USED_INTERVAL_MS = 60_000;

/** Whether a token's last_used_at is due a write at `now`. */
export const tokenUseDue = (lastUsedAt: number | null, now: number) =>
  lastUsedAt === null || now - lastUsedAt >= TOKEN_LAST_USED_INTERVAL_MS;

/** InputError for a token id that matches no token. */
export const noSuchToken = (id: number) => new InputError(`No API token with id ${id}`, "id");
/** InputError for a token revoked already. */
export const tokenRevoked = (id: number) =>
  new InputError(`API token ${id} is already revoked`, "id");

/** The audit entries of token changes. */
export const tokenAudit = {
  create: (actor: string, id: number, name: string, role: UserRole): AuditInput => ({
    actor,
    action: "token.create",
    target: `token:${id}`,
    after: { name, role },
  }),
  revoke: (actor: string, id: number, name: string): AuditInput => ({
    actor,
    action: "token.revoke",
    target: `token:${id}`,
    before: { name },
  }),
};

/** A username as the sign-in limits store it: lower case, at most 100 characters. */
export const loginUsernameKey = (username: string) => username.toLowerCase().slice(0, 100);
/** An address as the sign-in limits store it: never one of the reserved keys (`*`, `device:…`). */
export const loginAddressKey = (address: string) =>
  (address === "*" || address.startsWith("device:") ? `?${address}` : address).slice(0, 100);
/** The address column of a known device's attempts. */
export const loginDeviceKey = (id: string) => `device:${id}`.slice(0, 100);
