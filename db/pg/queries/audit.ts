/**
 * The audit log's writer on PostgreSQL: the same stored values as db/queries/audit.ts
 * (auditValues: capped lengths, masked JSON), the time from the database's clock unless given.
 * Call it on the transaction's client, so a change and its entry commit together.
 */
import { auditValues, type AuditInput } from "../../queries/audit";
import { DB_NOW_MS, type Queryable } from "../client";

/** Records one audit entry; returns its id. `now` (epoch ms) defaults to the database's clock. */
export async function recordAuditPg(
  q: Queryable,
  entry: AuditInput,
  now?: number,
): Promise<number> {
  const { rows } = await q.query<{ id: number }>(
    `INSERT INTO audit_log (at, actor, action, target, before, after, address)
     VALUES (coalesce($1::bigint, ${DB_NOW_MS}), $2, $3, $4, $5, $6, $7) RETURNING id`,
    [now ?? null, ...auditValues(entry)],
  );
  return rows[0]!.id;
}
