/**
 * The PostgreSQL store: every group of db/store.ts on one pool, for DATABASE_URL=postgres://….
 * Like the SQLite store it does no I/O until a method runs; the first call applies pending
 * migrations (under the advisory lock of db/pg/migrate.ts), unless the store was opened already
 * migrated. The worker's round gets a pool and a LISTEN connection of its own.
 */
import type pg from "pg";
import type { Store } from "../store";
import { migratePg } from "./migrate";
import { pgAdminStore } from "./store/admin";
import { pgAuthStore } from "./store/auth";
import { pgLibraryStore } from "./store/library";
import { pgMaintenanceStore } from "./store/maintenance";
import { pgReadStore } from "./store/reads";
import { pgUpkeepStore } from "./store/upkeep";
import { pgWorkerStore } from "./store/worker";

/** The URL as logs and pages may show it: the password replaced by `***`. */
export function redactedUrl(url: string): string {
  try {
    const u = new URL(url);
    if (u.password) u.password = "***";
    return u.toString();
  } catch {
    return "postgres://…";
  }
}

/** A group whose every method first waits for `ready` (the migrations). */
function afterReady<G extends object>(group: G, ready: () => Promise<unknown>): G {
  const out: Record<string, unknown> = {};
  for (const [name, fn] of Object.entries(group)) {
    out[name] =
      typeof fn === "function"
        ? async (...args: unknown[]) => {
            await ready();
            return (fn as (...a: unknown[]) => unknown)(...args);
          }
        : fn;
  }
  return out as G;
}

/**
 * The store on `pool` (of `url`). With `isMigrated` false the first method call migrates the
 * database; `close` ends what the caller opened (the pool).
 */
export function pgStore(
  url: string,
  pool: pg.Pool,
  { isMigrated, close }: { isMigrated: boolean; close: () => Promise<void> },
): Store {
  let migrating: Promise<unknown> | null = isMigrated ? Promise.resolve() : null;
  const ready = () =>
    (migrating ??= migratePg(url).catch((error: unknown) => {
      migrating = null; // the next call tries again (the server may be back)
      throw error;
    }));
  const library = pgLibraryStore(pool);
  return {
    dialect: "postgres",
    location: redactedUrl(url),
    library: afterReady(library, ready),
    reads: afterReady(pgReadStore(pool), ready),
    admin: afterReady(pgAdminStore(pool), ready),
    auth: afterReady(pgAuthStore(pool), ready),
    upkeep: afterReady(pgUpkeepStore(pool), ready),
    maintenance: afterReady(pgMaintenanceStore(pool, library), ready),
    worker: (workerId, options) => pgWorkerStore(url, workerId, options),
    migrate: () => migratePg(url),
    close,
  };
}
