/**
 * API tokens for other services (`Authorization: Bearer jdk_…`). A token is shown once when it is
 * created; only its SHA-256 is stored, so it cannot be recovered from the database.
 */
import {
  checkTokenName,
  hashApiToken,
  isApiTokenShaped,
  newApiToken,
  noSuchToken,
  tokenAudit,
  tokenRevoked,
  tokenUseDue,
} from "../auth-rules";
import type { Db } from "../client";
import type { UserRole } from "../schema";
import { auditedChange } from "./audit";
import { checkRole } from "./users";

export { TOKEN_PREFIX, hashApiToken } from "../auth-rules";

/** A token's public description (never the token). */
export interface ApiTokenInfo {
  id: number;
  name: string;
  role: UserRole;
  createdBy: number | null;
  createdAt: number;
  lastUsedAt: number | null;
  revokedAt: number | null;
}

const COLUMNS = `id, name, role, created_by AS createdBy, created_at AS createdAt,
  last_used_at AS lastUsedAt, revoked_at AS revokedAt`;

/** Creates a token; returns it (shown once) with its description. */
export function createApiToken(
  db: Db,
  input: { name: string; role: UserRole; createdBy?: number | null },
  actor: string,
): { token: string; info: ApiTokenInfo } {
  const name = checkTokenName(input.name);
  const role = checkRole(input.role);
  const { token, hash } = newApiToken();
  const createdBy = input.createdBy ?? null;
  return auditedChange(
    db,
    () => {
      const now = Date.now();
      const info = db.$client
        .prepare(
          `INSERT INTO api_tokens (name, token_hash, role, created_by, created_at) VALUES (?, ?, ?, ?, ?)`,
        )
        .run(name, hash, role, createdBy, now);
      const id = Number(info.lastInsertRowid);
      return {
        token,
        info: { id, name, role, createdBy, createdAt: now, lastUsedAt: null, revokedAt: null },
      };
    },
    ({ info }) => tokenAudit.create(actor, info.id, name, role),
  );
}

/** Every token, newest first (revoked ones included, marked). */
export function listApiTokens(db: Db): ApiTokenInfo[] {
  return db.$client
    .prepare(`SELECT ${COLUMNS} FROM api_tokens ORDER BY id DESC`)
    .all() as ApiTokenInfo[];
}

/** Revokes a token; throws InputError when there is no such live token. */
export function revokeApiToken(db: Db, id: number, actor: string): void {
  auditedChange(
    db,
    () => {
      const row = db.$client.prepare(`SELECT ${COLUMNS} FROM api_tokens WHERE id = ?`).get(id) as
        ApiTokenInfo | undefined;
      if (!row) throw noSuchToken(id);
      if (row.revokedAt !== null) throw tokenRevoked(id);
      db.$client.prepare(`UPDATE api_tokens SET revoked_at = ? WHERE id = ?`).run(Date.now(), id);
      return row;
    },
    (row) => tokenAudit.revoke(actor, id, row.name),
  );
}

/**
 * The live token matching a presented bearer token, or null. Lookup is by hash through a unique
 * index, so no timing comparison of secrets happens here. Updates last_used_at at most once a minute.
 */
export function findApiToken(db: Db, token: string, now = Date.now()): ApiTokenInfo | null {
  if (!isApiTokenShaped(token)) return null;
  const row = db.$client
    .prepare(`SELECT ${COLUMNS} FROM api_tokens WHERE token_hash = ? AND revoked_at IS NULL`)
    .get(hashApiToken(token)) as ApiTokenInfo | undefined;
  if (!row) return null;
  if (tokenUseDue(row.lastUsedAt, now)) {
    db.$client.prepare(`UPDATE api_tokens SET last_used_at = ? WHERE id = ?`).run(now, row.id);
  }
  return row;
}
