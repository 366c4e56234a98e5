/**
 * API tokens for other services (`Authorization: Bearer jdk_…`). A token is shown once when it is
 * created; only its SHA-256 is stored, so it cannot be recovered from the database.
 */
import { createHash, randomBytes } from "node:crypto";
import type { Db } from "../client";
import { InputError } from "../errors";
import { textProblem } from "../limits";
import type { UserRole } from "../schema";
import { auditedChange } from "./audit";
import { checkRole } from "./users";

/** Every token starts with this, so leaked tokens are easy to recognise and scan for. */
export const TOKEN_PREFIX = "jdk_";

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

/** SHA-256 (hex) of a token: what the table stores. */
export function hashApiToken(token: string): string {
  return createHash("sha256").update(token).digest("hex");
}

const COLUMNS = `id, name, role, created_by AS createdBy, created_at AS createdAt,
  last_used_at AS lastUsedAt, revoked_at AS revokedAt`;

/** Creates a token; returns it (shown once) with its description. */
export function createApiToken(
  db: Db,
  input: { name: string; role: UserRole; createdBy?: number | null },
  actor: string,
): { token: string; info: ApiTokenInfo } {
  const name = input.name.trim();
  if (name === "" || name.length > 100 || /[\u0000-\u001f\u007f]/.test(name)) {
    throw new InputError("A token name is 1 to 100 printable characters", "name");
  }
  const problem = textProblem(name);
  if (problem) throw new InputError(`A token name ${problem}`, "name");
  const role = checkRole(input.role);
  const token = TOKEN_PREFIX + randomBytes(32).toString("base64url");
  const createdBy = input.createdBy ?? null;
  return auditedChange(
    db,
    () => {
      const now = Date.now();
      const info = db.$client
        .prepare(
          `INSERT INTO api_tokens (name, token_hash, role, created_by, created_at) VALUES (?, ?, ?, ?, ?)`,
        )
        .run(name, hashApiToken(token), role, createdBy, now);
      const id = Number(info.lastInsertRowid);
      return {
        token,
        info: { id, name, role, createdBy, createdAt: now, lastUsedAt: null, revokedAt: null },
      };
    },
    ({ info }) => ({
      actor,
      action: "token.create",
      target: `token:${info.id}`,
      after: { name, role },
    }),
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
      if (!row) throw new InputError(`No API token with id ${id}`, "id");
      if (row.revokedAt !== null) throw new InputError(`API token ${id} is already revoked`, "id");
      db.$client.prepare(`UPDATE api_tokens SET revoked_at = ? WHERE id = ?`).run(Date.now(), id);
      return row;
    },
    (row) => ({ actor, action: "token.revoke", target: `token:${id}`, before: { name: row.name } }),
  );
}

const LAST_USED_INTERVAL_MS = 60_000;

/**
 * The live token matching a presented bearer token, or null. Lookup is by hash through a unique
 * index, so no timing comparison of secrets happens here. Updates last_used_at at most once a minute.
 */
export function findApiToken(db: Db, token: string, now = Date.now()): ApiTokenInfo | null {
  if (!token.startsWith(TOKEN_PREFIX) || token.length > 200) return null;
  const row = db.$client
    .prepare(`SELECT ${COLUMNS} FROM api_tokens WHERE token_hash = ? AND revoked_at IS NULL`)
    .get(hashApiToken(token)) as ApiTokenInfo | undefined;
  if (!row) return null;
  if (row.lastUsedAt === null || now - row.lastUsedAt >= LAST_USED_INTERVAL_MS) {
    db.$client.prepare(`UPDATE api_tokens SET last_used_at = ? WHERE id = ?`).run(now, row.id);
  }
  return row;
}
