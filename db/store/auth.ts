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
