/**
 * The store: the one door through which the dashboard, the worker, the CLI and the library reach
 * the database. Its methods are async and grouped by who calls them:
 *
 *   library      enqueue, read a job or group, schedules (db/index.ts, the CLI)
 *   reads        the dashboard's lists, counts, job page, stats, audit log (app/, the API, CLI)
 *   admin        changes people make, each audited in its own transaction (app/, the API, CLI)
 *   auth         users, sessions, API tokens, sign-in limits
 *   upkeep       the worker's row, lease rescue, retention, task catalog, the scheduler
 *   worker(id)   the worker's claim/outcome round and leases
 *   maintenance  demo data and bulk seeding
 *
 * Nothing outside db/ touches a connection, prepares SQL or opens a transaction. DATABASE_URL picks
 * the database: a path or `file:` URL is SQLite (better-sqlite3; everything that makes it fast
 * stays on its side, db/sqlite/), a `postgres://` URL is PostgreSQL (db/pg/store.ts).
 */
import { closeAllDbs, closeDb, getDb, openDb, resolveDatabasePath, type Db } from "./client";
import { migrateDatabase } from "./migrate";
import { closePgPool, closePgPools, getPgPool, isPostgresUrl, openPgPool } from "./pg/client";
import { migratePg } from "./pg/migrate";
import { pgStore } from "./pg/store";
import { sqliteAdminStore, type AdminStore } from "./store/admin";
import { sqliteAuthStore, type AuthStore } from "./store/auth";
import { sqliteLibraryStore, type LibraryStore } from "./store/library";
import { sqliteMaintenanceStore, type MaintenanceStore } from "./store/maintenance";
import { sqliteReadStore, type ReadStore } from "./store/reads";
import { sqliteUpkeepStore, type UpkeepStore } from "./store/upkeep";
import { openSqliteWorkerStore } from "./sqlite/worker-store";
import type { WorkerStore, WorkerStoreOptions } from "./store/worker";

export type { AdminStore, AuthStore, LibraryStore, MaintenanceStore, ReadStore, UpkeepStore };
export type { WorkerStore, WorkerStoreOptions };

/** Every group of the store, for one database. */
export interface Store {
  /** Which database this store talks to. */
  readonly dialect: "sqlite" | "postgres";
  /** Where: the SQLite file's absolute path, or the PostgreSQL URL without its password. */
  readonly location: string;
  readonly library: LibraryStore;
  readonly reads: ReadStore;
  readonly admin: AdminStore;
  readonly auth: AuthStore;
  readonly upkeep: UpkeepStore;
  readonly maintenance: MaintenanceStore;
  /**
   * The claim/outcome round of one worker, on a connection of its own (SQLite: opened now, not
   * migrated; its `close()` closes it). Open it after `migrate()`.
   */
  worker(workerId: string, options?: WorkerStoreOptions): WorkerStore;
  /** Applies pending migrations; resolves to how many ran. */
  migrate(): Promise<number>;
  /** Closes this store's connection. */
  close(): Promise<void>;
}

/** Options for openStore. */
export interface OpenStoreOptions {
  /**
   * DATABASE_URL: a SQLite path or `file:` URL, or a `postgres://` / `postgresql://` URL.
   * Default: DATABASE_URL, else data/jobdeck.db.
   */
  url?: string;
  /** Apply pending migrations on open (default true). */
  migrate?: boolean;
}

function sqliteStore(location: string, db: () => Db, close: () => void): Store {
  return {
    dialect: "sqlite",
    location,
    library: sqliteLibraryStore(db),
    reads: sqliteReadStore(db),
    admin: sqliteAdminStore(db),
    auth: sqliteAuthStore(db),
    upkeep: sqliteUpkeepStore(db),
    maintenance: sqliteMaintenanceStore(db),
    worker: (workerId, options) => openSqliteWorkerStore(location, workerId, options),
    migrate: async () => migrateDatabase(db().$client),
    close: async () => close(),
  };
}

/** Opens a store on its own new connection (the worker, tests, CLI commands that migrate). */
export async function openStore(options: OpenStoreOptions = {}): Promise<Store> {
  const url = options.url ?? process.env.DATABASE_URL;
  if (isPostgresUrl(url)) {
    const pgUrl = url.trim();
    if (options.migrate !== false) await migratePg(pgUrl);
    const pool = openPgPool(pgUrl);
    return pgStore(pgUrl, pool, { isMigrated: true, close: () => pool.end() });
  }
  const location = resolveDatabasePath(options.url);
  const db = openDb({ url: location, migrate: options.migrate });
  return sqliteStore(
    location,
    () => db,
    () => db.$client.close(),
  );
}

/**
 * Stores built by this copy of the module. Only the connection is shared process-wide (db/client
 * keeps it on globalThis); the groups are built per module copy, because Next.js bundles db/ once
 * per route, and a route must get errors of its own copy's classes (`instanceof InputError`).
 */
const stores = new Map<string, Store>();

/**
 * The process-wide store for a database URL. Returns at once: the connection is opened (and
 * migrated) at the first call of a method, so importing a module that gets a store does no I/O
 * (`next build` imports every route).
 */
export function getStore(url?: string): Store {
  const raw = url ?? process.env.DATABASE_URL;
  if (isPostgresUrl(raw)) {
    const pgUrl = raw.trim();
    let store = stores.get(pgUrl);
    if (!store) {
      store = pgStore(pgUrl, getPgPool(pgUrl), {
        isMigrated: false,
        close: async () => {
          stores.delete(pgUrl);
          await closePgPool(pgUrl);
        },
      });
      stores.set(pgUrl, store);
    }
    return store;
  }
  const location = resolveDatabasePath(url);
  let store = stores.get(location);
  if (!store) {
    store = sqliteStore(
      location,
      () => getDb(location),
      () => {
        stores.delete(location);
        closeDb(location);
      },
    );
    stores.set(location, store);
  }
  return store;
}

/** Closes every process-wide store (tests and graceful shutdown). */
export async function closeAllStores(): Promise<void> {
  stores.clear();
  closeAllDbs();
  await closePgPools();
}
