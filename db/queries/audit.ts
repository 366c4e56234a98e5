/**
 * The audit log: who retried, deleted, cancelled, enqueued or edited what, and when. Rows are only
 * ever inserted; nothing in the dashboard deletes them.
 */
import type { Db } from "../client";
import type { AuditRow } from "../schema";

/** Longest `before`/`after` text stored (characters); longer values are cut with a marker. */
export const MAX_AUDIT_VALUE_CHARS = 8 * 1024;

/** One audit entry to record. `before`/`after` may be strings or JSON-serialisable values. */
export interface AuditInput {
  /** Who: a username, `token:<name>`, `cli` or `system`. */
  actor: string;
  /** What, namespaced: `job.retry`, `job.delete`, `schedule.update`, `user.create`, … */
  action: string;
  /** Which object: `job:42`, `schedule:7`, `user:alice`. */
  target?: string | null;
  before?: unknown;
  after?: unknown;
  /** The client's address, when known. */
  address?: string | null;
}

function toText(value: unknown): string | null {
  if (value === undefined || value === null) return null;
  let text: string;
  if (typeof value === "string") text = value;
  else {
    try {
      text = JSON.stringify(value) ?? String(value);
    } catch {
      text = String(value);
    }
  }
  return text.length <= MAX_AUDIT_VALUE_CHARS
    ? text
    : `${text.slice(0, MAX_AUDIT_VALUE_CHARS)}… [${text.length - MAX_AUDIT_VALUE_CHARS} more characters]`;
}

/**
 * Records one audit entry; returns its id. Call it inside the same transaction as the change it
 * describes, so the log and the data never disagree.
 */
export function recordAudit(db: Db, entry: AuditInput, now = Date.now()): number {
  const info = db.$client
    .prepare(
      `INSERT INTO audit_log (at, actor, action, target, before, after, address)
       VALUES (?, ?, ?, ?, ?, ?, ?)`,
    )
    .run(
      now,
      entry.actor.slice(0, 200),
      entry.action.slice(0, 200),
      entry.target === undefined || entry.target === null ? null : entry.target.slice(0, 500),
      toText(entry.before),
      toText(entry.after),
      entry.address ? entry.address.slice(0, 100) : null,
    );
  return Number(info.lastInsertRowid);
}

/** A page of the audit log, newest first; `nextBefore` is the cursor for the next page. */
export interface AuditPage {
  rows: AuditRow[];
  nextBefore: number | null;
}

/** Lists audit entries newest first, keyset-paginated by id (`before`: ids below this one). */
export function listAudit(
  db: Db,
  { before, limit }: { before?: number; limit: number },
): AuditPage {
  const size = Math.max(1, Math.min(500, Math.floor(limit)));
  const rows = db.$client
    .prepare(
      `SELECT id, at, actor, action, target, before, after, address FROM audit_log
       WHERE id < ? ORDER BY id DESC LIMIT ?`,
    )
    .all(before ?? Number.MAX_SAFE_INTEGER, size + 1) as AuditRow[];
  const more = rows.length > size;
  const page = more ? rows.slice(0, size) : rows;
  return { rows: page, nextBefore: more ? (page[page.length - 1]?.id ?? null) : null };
}
