/** Users, sessions, API tokens and the sign-in limits. */
import type { Db } from "../client";
import * as users from "../queries/users";
import * as sessions from "../queries/sessions";
import * as apiTokens from "../queries/api-tokens";
import * as loginAttempts from "../queries/login-attempts";
import type { ApiTokenInfo } from "../queries/api-tokens";
import type {
  AttemptSource,
  LoginCheckOptions,
  LoginReservation,
  SignInCheck,
} from "../queries/login-attempts";
import type { SessionLifetimes, SessionOwner } from "../queries/sessions";
import type { UserInfo } from "../queries/users";
import type { UserRole } from "../schema";
import { bindQueries } from "./bind";

// Pure helpers callers outside db/ need (no database): input checks and the session lifetimes.
export { checkRole, checkUsername } from "../queries/users";
export { sessionLifetimes, type SessionLifetimes } from "../queries/sessions";
export type { UserInfo } from "../queries/users";
export type { ApiTokenInfo } from "../queries/api-tokens";
export type { LoginLimits, SignInCheck } from "../queries/login-attempts";

/** Who may do what: users, sessions, tokens, sign-in limits. */
export interface AuthStore {
  /** Every user, by username. */
  listUsers(): Promise<UserInfo[]>;
  /** How many users exist. */
  countUsers(): Promise<number>;
  /** The user with this id; null when none. */
  getUserById(id: number): Promise<UserInfo | null>;
  /** The user with this username; null when none. */
  getUserByUsername(username: string): Promise<UserInfo | null>;
  /** Creates a user from an already computed hash; throws InputError when the name is taken. */
  createUser(
    input: { username: string; passwordHash: string; role: UserRole },
    actor: string,
  ): Promise<UserInfo>;
  /** Replaces a user's password hash, ends all of their sessions and lifts their sign-in limits; throws when no such user. */
  setUserPassword(username: string, passwordHash: string, actor: string): Promise<void>;
  /** Changes a user's role and ends their sessions (so the new role applies at once). */
  setUserRole(username: string, role: UserRole, actor: string): Promise<void>;
  /** Removes a user (their sessions go with them); throws when no such user. */
  deleteUser(username: string, actor: string): Promise<void>;
  /** On a database with no users, creates `admin` (role admin) with a random strong password and returns the credentials so the caller can print them once; returns null when users exist. */
  ensureInitialAdmin(): Promise<{ username: string; password: string } | null>;
  /** Creates a session for a user; returns the token for the cookie (shown nowhere else). */
  createSession(
    userId: number,
    input?: { now?: number; lifetimes?: SessionLifetimes },
  ): Promise<{ token: string; expiresAt: number }>;
  /** Signs a user in: creates the session and records `session.sign-in` in the audit log, in one transaction. */
  startSession(
    user: { id: number; username: string },
    address?: string | null,
    options?: { now?: number; lifetimes?: SessionLifetimes },
  ): Promise<{ token: string; expiresAt: number }>;
  /** The user of a live session, or null when the token is unknown, past its absolute expiry or idle too long (an ended session's row is deleted). */
  getSessionOwner(
    token: string,
    input?: { now?: number; lifetimes?: SessionLifetimes },
  ): Promise<SessionOwner | null>;
  /** The key that signs session cookies: JOBDECK_SECRET when set (at least 32 characters), else a random secret generated on first use and kept in `settings` (insert-if-absent on its key: processes starting at once agree on the first one written). */
  getSessionSecret(): Promise<string>;
  /** Ends one session (sign-out, or rotation at sign-in). */
  deleteSession(token: string): Promise<void>;
  /** Signs out: ends the session and, when it was still live, records `session.sign-out` for its user in the audit log, in one transaction. */
  endSession(
    token: string,
    address?: string | null,
    input?: { now?: number; lifetimes?: SessionLifetimes },
  ): Promise<boolean>;
  /** Deletes sessions past their absolute expiry or idle limit; returns how many. */
  pruneSessions(input?: { now?: number; lifetimes?: SessionLifetimes }): Promise<number>;
  /** Creates a token; returns it (shown once) with its description. */
  createApiToken(
    input: { name: string; role: UserRole; createdBy?: number | null },
    actor: string,
  ): Promise<{ token: string; info: ApiTokenInfo }>;
  /** Every token, newest first (revoked ones included, marked). */
  listApiTokens(): Promise<ApiTokenInfo[]>;
  /** Revokes a token; throws InputError when there is no such live token. */
  revokeApiToken(id: number, actor: string): Promise<void>;
  /** The live token matching a presented bearer token, or null. */
  findApiToken(token: string, now?: number): Promise<ApiTokenInfo | null>;
  /** Checks a username and password under the limits: counts the attempt, waits its turn, verifies (against a decoy hash for unknown users, so timing reveals nothing), then keeps the count on a failure (audited as `session.sign-in-failed`) or clears this address's and device's count on success. */
  checkSignIn(
    input: AttemptSource & { username: string; password: string },
    options?: LoginCheckOptions,
  ): Promise<SignInCheck>;
  /** Counts a sign-in for `username` from `source` before its password is checked, atomically across connections, processes and hosts (SQLite: one IMMEDIATE transaction; PostgreSQL: advisory locks per username and per address). */
  reserveLoginAttempt(
    source: AttemptSource | string,
    rawUsername: string,
    input?: LoginCheckOptions,
  ): Promise<LoginReservation>;
  /** Clears the sign-in limits of a username (from every address) and/or of an address; returns how many rows were removed. */
  clearLoginLimits(input: { username?: string; address?: string }, actor: string): Promise<number>;
}

export function sqliteAuthStore(db: () => Db): AuthStore {
  return bindQueries(db, { ...users, ...sessions, ...apiTokens, ...loginAttempts });
}
