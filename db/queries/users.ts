/** Dashboard users: create, look up, change password, remove. Every change is audited. */
import type { Db } from "../client";
import { INITIAL_ADMIN, loginUsernameKey, noSuchUser, userAudit, userTaken } from "../auth-rules";
import { InputError } from "../errors";
import { generatePassword, hashPasswordSync } from "../passwords";
import { USER_ROLES, type UserRole } from "../schema";
import { auditedChange } from "./audit";

/** A user as the application sees it (never with the password hash). */
export interface UserInfo {
  id: number;
  username: string;
  role: UserRole;
  createdAt: number;
  updatedAt: number;
}

/** A user with the stored hash, for sign-in only. */
export interface UserWithHash extends UserInfo {
  passwordHash: string;
}

const USERNAME_RE = /^[A-Za-z0-9][A-Za-z0-9._@-]{0,63}$/;

/** Throws InputError (field "username") unless the name is 1-64 of letters, digits, `._@-`. */
export function checkUsername(username: string): string {
  if (typeof username !== "string" || !USERNAME_RE.test(username)) {
    throw new InputError(
      "A username is 1 to 64 letters, digits, dots, dashes, underscores or @, starting with a letter or digit",
      "username",
    );
  }
  return username;
}

/** Throws InputError (field "role") unless the role is admin or viewer. */
export function checkRole(role: string): UserRole {
  if (!(USER_ROLES as readonly string[]).includes(role)) {
    throw new InputError(`role must be one of ${USER_ROLES.join(", ")}, got "${role}"`, "role");
  }
  return role as UserRole;
}

const COLUMNS = `id, username, role, created_at AS createdAt, updated_at AS updatedAt`;

/** The user with this username (case-sensitive), with the hash; null when none. */
export function findUserForSignIn(db: Db, username: string): UserWithHash | null {
  const row = db.$client
    .prepare(`SELECT ${COLUMNS}, password_hash AS passwordHash FROM users WHERE username = ?`)
    .get(username) as UserWithHash | undefined;
  return row ?? null;
}

/** The user with this id; null when none. */
export function getUserById(db: Db, id: number): UserInfo | null {
  const row = db.$client.prepare(`SELECT ${COLUMNS} FROM users WHERE id = ?`).get(id) as
    UserInfo | undefined;
  return row ?? null;
}

/** The user with this username; null when none. */
export function getUserByUsername(db: Db, username: string): UserInfo | null {
  const row = db.$client
    .prepare(`SELECT ${COLUMNS} FROM users WHERE username = ?`)
    .get(username) as UserInfo | undefined;
  return row ?? null;
}

/** Every user, by username. */
export function listUsers(db: Db): UserInfo[] {
  return db.$client.prepare(`SELECT ${COLUMNS} FROM users ORDER BY username`).all() as UserInfo[];
}

/** How many users exist. */
export function countUsers(db: Db): number {
  return db.$client.prepare(`SELECT COUNT(*) FROM users`).pluck().get() as number;
}

/** Creates a user from an already computed hash; throws InputError when the name is taken. */
export function createUser(
  db: Db,
  input: { username: string; passwordHash: string; role: UserRole },
  actor: string,
): UserInfo {
  const username = checkUsername(input.username);
  const role = checkRole(input.role);
  return auditedChange(
    db,
    () => {
      if (getUserByUsername(db, username)) {
        throw userTaken(username);
      }
      const now = Date.now();
      const info = db.$client
        .prepare(
          `INSERT INTO users (username, password_hash, role, created_at, updated_at) VALUES (?, ?, ?, ?, ?)`,
        )
        .run(username, input.passwordHash, role, now, now);
      return { id: Number(info.lastInsertRowid), username, role, createdAt: now, updatedAt: now };
    },
    () => userAudit.create(actor, username, role),
  );
}

/** The user named `username`; throws InputError (field "username") when there is none. */
function requireUser(db: Db, username: string): UserInfo {
  const user = getUserByUsername(db, username);
  if (!user) throw noSuchUser(username);
  return user;
}

/** Ends every session of the user (a changed password or role, or a removed user). */
function deleteSessionsOf(db: Db, userId: number): void {
  db.$client.prepare(`DELETE FROM sessions WHERE user_id = ?`).run(userId);
}

/**
 * Sets what a user's sessions were granted under (password hash or role) and ends those
 * sessions, so the change applies at once; returns the user as it was.
 */
function changeCredential(
  db: Db,
  username: string,
  column: "password_hash" | "role",
  value: string,
): UserInfo {
  const user = requireUser(db, username);
  db.$client
    .prepare(`UPDATE users SET ${column} = ?, updated_at = ? WHERE id = ?`)
    .run(value, Date.now(), user.id);
  deleteSessionsOf(db, user.id);
  return user;
}

/** Replaces a user's password hash, ends all of their sessions and lifts their sign-in limits; throws when no such user. */
export function setUserPassword(
  db: Db,
  username: string,
  passwordHash: string,
  actor: string,
): void {
  auditedChange(
    db,
    () => {
      changeCredential(db, username, "password_hash", passwordHash);
      // A new password makes the guesses counted against the old one moot: lift the limits.
      db.$client
        .prepare(`DELETE FROM login_attempts WHERE username = ?`)
        .run(loginUsernameKey(username));
    },
    () => userAudit.password(actor, username),
  );
}

/** Changes a user's role and ends their sessions (so the new role applies at once). */
export function setUserRole(db: Db, username: string, role: UserRole, actor: string): void {
  checkRole(role);
  auditedChange(
    db,
    () => changeCredential(db, username, "role", role),
    (user) => userAudit.role(actor, username, user.role, role),
  );
}

/** Removes a user (their sessions go with them); throws when no such user. */
export function deleteUser(db: Db, username: string, actor: string): void {
  auditedChange(
    db,
    () => {
      const user = requireUser(db, username);
      deleteSessionsOf(db, user.id);
      db.$client.prepare(`DELETE FROM users WHERE id = ?`).run(user.id);
      return user;
    },
    (user) => userAudit.delete(actor, username, user.role),
  );
}

/**
 * On a database with no users, creates `admin` (role admin) with a random strong password and
 * returns the credentials so the caller can print them once; returns null when users exist.
 * Safe when several processes start at once: the check and insert share one IMMEDIATE transaction.
 */
export function ensureInitialAdmin(db: Db): { username: string; password: string } | null {
  if (countUsers(db) > 0) return null;
  const password = generatePassword();
  const passwordHash = hashPasswordSync(password);
  return auditedChange(
    db,
    () => {
      if (countUsers(db) > 0) return null;
      const now = Date.now();
      db.$client
        .prepare(
          `INSERT INTO users (username, password_hash, role, created_at, updated_at) VALUES (?, ?, 'admin', ?, ?)`,
        )
        .run(INITIAL_ADMIN, passwordHash, now, now);
      return { username: INITIAL_ADMIN, password };
    },
    (created) => (created === null ? null : userAudit.initialAdmin()),
  );
}
