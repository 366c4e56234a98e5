/**
 * The auth group on PostgreSQL (db/store/auth.ts's AuthStore): users, sessions, API tokens, the
 * session secret and the sign-in limits, with the SQL in db/pg/queries/{auth,login-attempts}.ts.
 */
import type pg from "pg";
import type { AuthStore } from "../../store/auth";
import * as q from "../queries/auth";
import * as limits from "../queries/login-attempts";

export function pgAuthStore(pool: pg.Pool): AuthStore {
  return {
    listUsers: () => q.listUsersPg(pool),
    countUsers: () => q.countUsersPg(pool),
    getUserById: (id) => q.getUserByIdPg(pool, id),
    getUserByUsername: (username) => q.getUserByUsernamePg(pool, username),
    createUser: (input, actor) => q.createUserPg(pool, input, actor),
    setUserPassword: (username, hash, actor) => q.setUserPasswordPg(pool, username, hash, actor),
    setUserRole: (username, role, actor) => q.setUserRolePg(pool, username, role, actor),
    deleteUser: (username, actor) => q.deleteUserPg(pool, username, actor),
    ensureInitialAdmin: () => q.ensureInitialAdminPg(pool),
    createSession: (userId, input) => q.createSessionPg(pool, userId, input),
    startSession: (user, address, options) => q.startSessionPg(pool, user, address, options),
    getSessionOwner: (token, input) => q.getSessionOwnerPg(pool, token, input),
    getSessionSecret: () => q.getSessionSecretPg(pool),
    deleteSession: (token) => q.deleteSessionPg(pool, token),
    endSession: (token, address, input) => q.endSessionPg(pool, token, address, input),
    pruneSessions: (input) => q.pruneSessionsPg(pool, input),
    createApiToken: (input, actor) => q.createApiTokenPg(pool, input, actor),
    listApiTokens: () => q.listApiTokensPg(pool),
    revokeApiToken: (id, actor) => q.revokeApiTokenPg(pool, id, actor),
    findApiToken: (token, now) => q.findApiTokenPg(pool, token, now),
    checkSignIn: (input, options) => limits.checkSignInPg(pool, input, options),
    reserveLoginAttempt: (source, username, input) =>
      limits.reserveLoginAttemptPg(pool, source, username, input),
    clearLoginLimits: (input, actor) => limits.clearLoginLimitsPg(pool, input, actor),
  };
}
