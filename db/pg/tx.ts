/**
 * Transactions on PostgreSQL: every multi-statement change of the PostgreSQL store runs through
 * withTransaction, so each one commits whole or not at all and its client always returns to the
 * pool. Serialization failures and deadlocks (which READ COMMITTED makes rare, and which the
 * store's statements are written to avoid) are retried a few times with a short backoff.
 */
import type pg from "pg";

/** SQLSTATEs worth one more try: serialization_failure, deadlock_detected. */
const RETRYABLE = new Set(["40001", "40P01"]);
const MAX_TRIES = 5;

/** Runs `body` in one transaction on a client of `pool`; commits its result, rolls back on error. */
export async function withTransaction<T>(
  pool: pg.Pool,
  body: (client: pg.PoolClient) => Promise<T>,
): Promise<T> {
  for (let attempt = 1; ; attempt++) {
    const client = await pool.connect();
    let broken = false;
    try {
      await client.query("BEGIN");
      const result = await body(client);
      await client.query("COMMIT");
      return result;
    } catch (error) {
      await client.query("ROLLBACK").catch(() => {
        broken = true; // the connection is gone: do not hand it back to the pool
      });
      const code = (error as { code?: string }).code;
      if (attempt < MAX_TRIES && code !== undefined && RETRYABLE.has(code)) {
        await new Promise((r) => setTimeout(r, 2 ** attempt + Math.random() * 5));
        continue;
      }
      throw error;
    } finally {
      client.release(broken);
    }
  }
}
