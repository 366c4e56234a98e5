/**
 * The audit log on PostgreSQL: one entry (db/queries/audit.ts's auditValues: masked, cut to its
 * limits), and auditedChange: a change and its entry in one transaction.
 */
import type pg from "pg";
import { auditValues, type AuditInput } from "../../queries/audit";
import { DB_NOW_MS, type Queryable } from "../client";
import { withTransaction } from "../tx";

/** Records one audit entry (secrets in `before`/`after` masked first); returns its id. `now` defaults to the database's clock. */
export async function recordAuditPg(
  db: Queryable,
  entry: AuditInput,
  now?: number,
): Promise<number> {
  const { rows } = await db.query<{ id: number }>(
    `INSERT INTO audit_log (at, actor, action, target, before, after, address)
     VALUES (COALESCE($1::bigint, ${DB_NOW_MS}), $2, $3, $4, $5, $6, $7) RETURNING id`,
    [now ?? null, ...auditValues(entry)],
  );
  return rows[0]!.id;
}

/**
 * Runs `change` and records the audit entry `audit` makes of its result (none when it returns
 * null), in one transaction: a change and its entry land together or not at all.
 */
export async function auditedChangePg<T>(
  pool: pg.Pool,
  change: (client: pg.PoolClient) => Promise<T>,
  audit: (result: T) => AuditInput | null,
): Promise<T> {
  return withTransaction(pool, async (client) => {
    const result = await change(client);
    const entry = audit(result);
    if (entry) await recordAuditPg(client, entry);
    return result;
  });
}
