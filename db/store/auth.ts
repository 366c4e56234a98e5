/** Users, sessions, API tokens and the sign-in limits. */
import type { Db } from "../client";
import { createApiToken, findApiToken, listApiTokens, revokeApiToken } from "../queries/api-tokens";
import { checkSignIn, clearLoginLimits, reserveLoginAttempt } from "../queries/login-attempts";
import {
  createSession,
  deleteSession,
  endSession,
  getSessionOwner,
  getSessionSecret,
  pruneSessions,
  startSession,
} from "../queries/sessions";
import {
  countUsers,
  createUser,
  deleteUser,
  ensureInitialAdmin,
  getUserById,
  getUserByUsername,
  listUsers,
  setUserPassword,
  setUserRole,
} from "../queries/users";
import { bindGroup, type BoundGroup } from "./bind";

// Pure helpers callers outside db/ need (no database): input checks and the session lifetimes.
export { checkRole, checkUsername } from "../queries/users";
export { sessionLifetimes, type SessionLifetimes } from "../queries/sessions";
export type { UserInfo } from "../queries/users";
export type { ApiTokenInfo } from "../queries/api-tokens";
export type { LoginLimits, SignInCheck } from "../queries/login-attempts";

const sqliteAuth = {
  listUsers,
  countUsers,
  getUserById,
  getUserByUsername,
  createUser,
  setUserPassword,
  setUserRole,
  deleteUser,
  ensureInitialAdmin,
  createSession,
  startSession,
  getSessionOwner,
  getSessionSecret,
  deleteSession,
  endSession,
  pruneSessions,
  createApiToken,
  listApiTokens,
  revokeApiToken,
  findApiToken,
  checkSignIn,
  reserveLoginAttempt,
  clearLoginLimits,
};

/** Who may do what: users, sessions, tokens, sign-in limits. */
export type AuthStore = BoundGroup<typeof sqliteAuth>;

export function sqliteAuthStore(db: () => Db): AuthStore {
  return bindGroup(db, sqliteAuth);
}
