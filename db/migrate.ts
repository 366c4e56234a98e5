/**
 * Applies drizzle-kit's migrations from db/migrations inside one BEGIN IMMEDIATE transaction, so
 * that several processes starting at once on a new file serialise: the first migrates, the others
 * wait (busy_timeout) and then find nothing left to do. Uses drizzle's journal reader and its
 * `__drizzle_migrations` bookkeeping table, so drizzle-kit sees the same history.
 */
import path from "node:path";
import type Database from "better-sqlite3";
import { readMigrationFiles } from "drizzle-orm/migrator";
import { projectRoot } from "./project-root";

/** Folder of generated migrations, found from the project root (see project-root.ts). */
export function migrationsFolder(): string {
  return path.resolve(/*turbopackIgnore: true*/ projectRoot(), "db/migrations");
}

/** Applies every pending migration; returns how many it applied. Safe to call from many processes. */
export function migrateDatabase(sqlite: Database.Database, folder = migrationsFolder()): number {
  const migrations = readMigrationFiles({ migrationsFolder: folder });
  sqlite.exec(
    `CREATE TABLE IF NOT EXISTS "__drizzle_migrations" (id INTEGER PRIMARY KEY AUTOINCREMENT, hash text NOT NULL, created_at numeric)`,
  );
  const apply = sqlite.transaction(() => {
    const applied = new Set(
      (sqlite.prepare(`SELECT hash FROM "__drizzle_migrations"`).all() as { hash: string }[]).map(
        (r) => r.hash,
      ),
    );
    let count = 0;
    for (const migration of migrations) {
      if (applied.has(migration.hash)) continue;
      for (const statement of migration.sql) {
        if (statement.trim() !== "") sqlite.exec(statement);
      }
      sqlite
        .prepare(`INSERT INTO "__drizzle_migrations" (hash, created_at) VALUES (?, ?)`)
        .run(migration.hash, migration.folderMillis);
      count++;
    }
    return count;
  });
  return apply.immediate();
}
