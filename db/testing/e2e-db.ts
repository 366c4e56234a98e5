/**
 * The web server's database as the e2e helpers in db/testing/ reach it: one connection per
 * database per process, shared by those helpers.
 */
import { openDb, resolveDatabasePath, type Db } from "../client";

const opened = new Map<string, Db>();

/**
 * The database at `url` (default DATABASE_URL), opened once per process without migrating
 * (migrations are the server's job).
 */
export function e2eDb(url?: string): Db {
  const location = resolveDatabasePath(url);
  let db = opened.get(location);
  if (!db) {
    db = openDb({ url: location, migrate: false });
    opened.set(location, db);
  }
  return db;
}
