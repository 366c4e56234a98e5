/**
 * Applies drizzle-kit's PostgreSQL migrations (db/pg/migrations) so that many processes on many
 * hosts may start together (issue 17): all pending migrations run in one transaction holding a
 * transaction-level advisory lock, so the first process migrates while the others wait on the lock
 * and then find nothing left to do; a migrator that dies releases the lock with its connection.
 * A process that finds nothing pending takes no lock. Bookkeeping is drizzle's own
 * `drizzle.__drizzle_migrations` table, so drizzle-kit sees the same history.
 */
import path from "node:path";
import { readMigrationFiles, type MigrationMeta } from "drizzle-orm/migrator";
import pg from "pg";
import { projectRoot } from "../project-root";

/** Folder of the generated PostgreSQL migrations, found from the project root. */
export function pgMigrationsFolder(): string {
  return path.resolve(/*turbopackIgnore: true*/ projectRoot(), "db/pg/migrations");
}

/** The advisory lock key every Jobdeck migrator takes (an arbitrary constant: "jobdeckM"). */
export const MIGRATION_LOCK_KEY = "7668637302186837325";

const TABLE = `"drizzle"."__drizzle_migrations"`;

async function appliedHashes(client: pg.ClientBase): Promise<Set<string> | null> {
  const { rows } = await client.query<{ t: string | null }>(
    `SELECT to_regclass('drizzle.__drizzle_migrations')::text AS t`,
  );
  if (!rows[0]?.t) return null;
  const applied = await client.query<{ hash: string }>(`SELECT hash FROM ${TABLE}`);
  return new Set(applied.rows.map((r) => r.hash));
}

function pending(migrations: MigrationMeta[], applied: Set<string> | null): MigrationMeta[] {
  return migrations.filter((m) => !applied?.has(m.hash));
}

/**
 * Applies every pending migration on `client` (a connected client, not a pool: the transaction
 * and the lock need one connection); returns how many this call applied.
 */
export async function migratePgClient(
  client: pg.ClientBase,
  folder = pgMigrationsFolder(),
): Promise<number> {
  const migrations = readMigrationFiles({ migrationsFolder: folder });
  if (pending(migrations, await appliedHashes(client)).length === 0) return 0;
  await client.query("BEGIN");
  try {
    await client.query(`SELECT pg_advisory_xact_lock(${MIGRATION_LOCK_KEY})`);
    await client.query(`CREATE SCHEMA IF NOT EXISTS "drizzle"`);
    await client.query(
      `CREATE TABLE IF NOT EXISTS ${TABLE} (id SERIAL PRIMARY KEY, hash text NOT NULL, created_at bigint)`,
    );
    // Read again under the lock: another process may have migrated while this one waited.
    const todo = pending(migrations, await appliedHashes(client));
    for (const migration of todo) {
      for (const statement of migration.sql) {
        if (statement.trim() !== "") await client.query(statement);
      }
      await client.query(`INSERT INTO ${TABLE} (hash, created_at) VALUES ($1, $2)`, [
        migration.hash,
        migration.folderMillis,
      ]);
    }
    await client.query("COMMIT");
    return todo.length;
  } catch (error) {
    await client.query("ROLLBACK").catch(() => {});
    throw error;
  }
}

/** Opens one connection to `url`, applies pending migrations, closes it; returns how many it applied. */
export async function migratePg(url: string, folder = pgMigrationsFolder()): Promise<number> {
  const client = new pg.Client({ connectionString: url, application_name: "jobdeck:migrate" });
  await client.connect();
  try {
    return await migratePgClient(client, folder);
  } finally {
    await client.end();
  }
}
