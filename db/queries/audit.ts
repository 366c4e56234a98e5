/**
 * The audit log: who retried, deleted, cancelled, enqueued or edited what, and when. Rows are only
 * ever inserted; nothing in the dashboard deletes them.
 */
import type { Db } from "../client";
import { maskSecrets, maskSecretText } from "../mask-secrets";
import type { AuditRow } from "../schema";

/**
 * Longest `before`/`after` text stored (characters). A longer value is replaced by a valid JSON
 * summary `{"truncated":true,"chars":N,"head":"…"}`; bulk actions stay far below it by listing
 * their ids as compact ranges (compactIds).
 */
export const MAX_AUDIT_VALUE_CHARS = 256 * 1024;

/** Characters of the original text kept in a truncated value's `head`. */
const TRUNCATED_HEAD_CHARS = 2000;

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

/**
 * Ids as compact ranges, ascending and without repeats: `[1, 2, 3, 7, 9, 10]` → `"1-3,7,9-10"`.
 * 10,000 ids of a bulk action take a few kilobytes at most. expandIds reverses it.
 */
export function compactIds(ids: readonly number[]): string {
  const sorted = [...new Set(ids)].sort((a, b) => a - b);
  const parts: string[] = [];
  for (let i = 0; i < sorted.length;) {
    let j = i;
    while (j + 1 < sorted.length && sorted[j + 1] === sorted[j]! + 1) j++;
    parts.push(i === j ? String(sorted[i]) : `${sorted[i]}-${sorted[j]}`);
    i = j + 1;
  }
  return parts.join(",");
}

/** The ids of a compactIds text, ascending. */
export function expandIds(text: string): number[] {
  const ids: number[] = [];
  for (const part of text.split(",").filter((p) => p !== "")) {
    const [from, to = from] = part.split("-").map(Number) as [number, number?];
    for (let id = from; id <= to; id++) ids.push(id);
  }
  return ids;
}

/**
 * The stored text of a before/after value: always valid JSON, secrets masked (a string that is
 * not JSON is stored as a JSON string), and too long a text replaced by a JSON summary.
 */
function toText(value: unknown): string | null {
  if (value === undefined || value === null) return null;
  let text: string;
  try {
    const parsed = typeof value === "string" ? parseOrText(value) : value;
    text = JSON.stringify(maskSecrets(parsed)) ?? JSON.stringify(String(value));
  } catch {
    text = JSON.stringify(maskSecretText(String(value)));
  }
  if (text.length <= MAX_AUDIT_VALUE_CHARS) return text;
  return JSON.stringify({
    truncated: true,
    chars: text.length,
    head: text.slice(0, TRUNCATED_HEAD_CHARS),
  });
}

function parseOrText(text: string): unknown {
  try {
    return JSON.parse(text) as unknown;
  } catch {
    return text;
  }
}

/**
 * Records one audit entry (secrets in `before`/`after` masked first); returns its id. Call it inside the same transaction as the change it
 * describes, so the log and the data never disagree.
 */
export function recordAudit(db: Db, entry: AuditInput, now = Date.now()): number {
  const info = db.$client
    .prepare(
      `INSERT INTO audit_log (at, actor, action, target, before, after, address)
       VALUES (?, ?, ?, ?, ?, ?, ?)`,
    )
    .run(now, ...auditValues(entry));
  return Number(info.lastInsertRowid);
}

/**
 * The stored columns of an entry after `at`: actor, action, target, before, after, address —
 * texts cut to their limits, before/after masked JSON (pure; both dialects).
 */
export function auditValues(
  entry: AuditInput,
): [string, string, string | null, string | null, string | null, string | null] {
  return [
    entry.actor.slice(0, 200),
    entry.action.slice(0, 200),
    entry.target === undefined || entry.target === null ? null : entry.target.slice(0, 500),
    toText(entry.before),
    toText(entry.after),
    entry.address ? entry.address.slice(0, 100) : null,
  ];
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

/**
 * Runs `change` and records the audit entry `audit` makes of its result (none when it returns
 * null), in one IMMEDIATE transaction: a change and its entry land together or not at all. Every
 * admin action in db/admin-actions.ts (the store's `admin` group) is built on it.
 */
export function auditedChange<T>(
  db: Db,
  change: () => T,
  audit: (result: T) => AuditInput | null,
): T {
  return db.$client
    .transaction(() => {
      const result = change();
      const entry = audit(result);
      if (entry) recordAudit(db, entry);
      return result;
    })
    .immediate();
}
