/**
 * Opens the SQLite file once per process, sets the pragmas and applies pending migrations.
 * Never open the database at module top level: `next build` imports route modules.
 */
import fs from "node:fs";
import path from "node:path";
import Database from "better-sqlite3";
import { drizzle, type BetterSQLite3Database } from "drizzle-orm/better-sqlite3";
import * as schema from "./schema";
import { migrateDatabase } from "./migrate";
import { registerFingerprintFunction } from "./queries/failure-groups";

/** The Drizzle handle plus the raw better-sqlite3 connection (for prepared hot-path statements). */
export type Db = BetterSQLite3Database<typeof schema> & { $client: Database.Database };

/** Options for openDb; every field has an environment default. */
export interface OpenDbOptions {
  /** SQLite path or `file:` URL. Default: DATABASE_URL, else `data/jobdeck.db`. */
  url?: string;
  /** Apply pending migrations (default true). */
  migrate?: boolean;
}

const SYNCHRONOUS_MODES = ["OFF", "NORMAL", "FULL", "EXTRA"] as const;

/**
 * Page size of a new database file (existing files keep theirs). Every page a commit touches is
 * one WAL frame of this size, and an enqueue touches three (the row and the two claim indexes):
 * 2 KiB pages write half the bytes of 4 KiB ones per commit, while full scans of `results` cost
 * the same (1 KiB pages made them half again slower).
 */
export const NEW_DATABASE_PAGE_SIZE = 2048;
/**
 * WAL size at which a committing connection checkpoints itself (SQLite's default is 1,000 pages).
 * A backstop for when no worker runs: a worker checkpoints from a thread of its own and keeps the
 * WAL far below this (db/sqlite/checkpointer.ts), so commits do not pay for it. Without a worker this
 * still bounds the WAL; each such checkpoint costs a writer two fsyncs, so it is set high enough
 * to be rare (every 8,000 or so single-job enqueues).
 */
export const WAL_AUTOCHECKPOINT_BYTES = 64 * 1024 * 1024;
/**
 * Page cache per connection (KiB), small on purpose. While SQLite's B-tree balancing sorts sibling
 * pages it renumbers one through the lock-byte page's number (1 GiB into the file), and the next
 * commit then walks every page the connection caches to drop those past the end of the file. With
 * the old 64 MiB cache, a worker that had drained 300,000 jobs spent about 0.7 ms per commit on
 * that walk, a fifth of its SQLite time. A writer's working set (the claim indexes, the ends of
 * `results` and its indexes) is a few hundred pages, and pages beyond the cache come from the OS's
 * cache.
 */
export const CACHE_SIZE_KIB = 8 * 1024;
const MIGRATION_CACHE_SIZE_KIB = 64 * 1024;
/** A WAL grown past this by one large transaction is cut back to it once checkpointed. */
export const WAL_SIZE_LIMIT_BYTES = WAL_AUTOCHECKPOINT_BYTES;

/** Resolves DATABASE_URL (a path or a `file:` URL) to a file path; default `data/jobdeck.db`. */
export function resolveDatabasePath(url = process.env.DATABASE_URL): string {
  const raw = url && url.trim() !== "" ? url.trim() : "data/jobdeck.db";
  let file = raw;
  if (raw.startsWith("file://")) file = new URL(raw).pathname;
  else if (raw.startsWith("file:")) file = raw.slice("file:".length).split("?")[0] ?? "";
  if (file === "")
    throw new Error(`DATABASE_URL "${raw}" names no file; give a path such as data/jobdeck.db`);
  if (file === ":memory:") {
    throw new Error(
      "DATABASE_URL=:memory: cannot be shared by the worker and the dashboard; give a file path",
    );
  }
  return path.resolve(/*turbopackIgnore: true*/ file);
}

/** Reads JOBDECK_SYNCHRONOUS (default NORMAL: in WAL mode a power loss may drop the last commits, never corrupts). */
export function synchronousMode(value = process.env.JOBDECK_SYNCHRONOUS): string {
  const mode = (value ?? "NORMAL").trim().toUpperCase();
  if (!(SYNCHRONOUS_MODES as readonly string[]).includes(mode)) {
    throw new Error(`JOBDECK_SYNCHRONOUS="${value}" is not one of ${SYNCHRONOUS_MODES.join(", ")}`);
  }
  return mode;
}

/** Opens a new connection with WAL, busy_timeout and foreign keys on, and migrates it. */
export function openDb(options: OpenDbOptions = {}): Db {
  const file = resolveDatabasePath(options.url);
  fs.mkdirSync(path.dirname(file), { recursive: true });
  const sqlite = new Database(file);
  sqlite.pragma(`busy_timeout = ${Number(process.env.JOBDECK_BUSY_TIMEOUT_MS ?? 10000)}`);
  // Takes effect only on a file with no tables yet, and only before it switches to WAL.
  sqlite.pragma(`page_size = ${NEW_DATABASE_PAGE_SIZE}`);
  // After busy_timeout: switching a new file to WAL briefly needs an exclusive lock.
  sqlite.pragma("journal_mode = WAL");
  const pageSize = sqlite.pragma("page_size", { simple: true }) as number;
  sqlite.pragma(`wal_autocheckpoint = ${Math.ceil(WAL_AUTOCHECKPOINT_BYTES / pageSize)}`);
  sqlite.pragma(`journal_size_limit = ${WAL_SIZE_LIMIT_BYTES}`);
  sqlite.pragma(`synchronous = ${synchronousMode()}`);
  sqlite.pragma("foreign_keys = ON");
  sqlite.pragma("temp_store = MEMORY");
  // Called by the statements recording a failure, and by the migration that fingerprints old ones.
  registerFingerprintFunction(sqlite);
  if (options.migrate !== false) {
    // The cache size also bounds a sort's memory: a migration that rebuilds a table sorts every
    // row into each index, so it gets room for that.
    sqlite.pragma(`cache_size = -${MIGRATION_CACHE_SIZE_KIB}`);
    migrateDatabase(sqlite);
  }
  sqlite.pragma(`cache_size = -${CACHE_SIZE_KIB}`);
  return drizzle({ client: sqlite, schema }) as Db;
}

const globalForDb = globalThis as unknown as { __jobdeckDb?: Map<string, Db> };

/** The process-wide connection for a database URL, opened (and migrated) on first use. */
export function getDb(url?: string): Db {
  const key = resolveDatabasePath(url);
  globalForDb.__jobdeckDb ??= new Map();
  let db = globalForDb.__jobdeckDb.get(key);
  if (!db) {
    db = openDb({ url: key });
    globalForDb.__jobdeckDb.set(key, db);
  }
  return db;
}

/** Closes and forgets the cached connection for a database URL, if one is open. */
export function closeDb(url?: string): void {
  const key = resolveDatabasePath(url);
  globalForDb.__jobdeckDb?.get(key)?.$client.close();
  globalForDb.__jobdeckDb?.delete(key);
}

/** Closes and forgets every cached connection (tests and graceful shutdown). */
export function closeAllDbs(): void {
  for (const db of globalForDb.__jobdeckDb?.values() ?? []) db.$client.close();
  globalForDb.__jobdeckDb?.clear();
}
