/**
 * node-postgres connections for DATABASE_URL=postgres://… (issue 17): one pool per URL per
 * process, int8 read as a JS number (with a guard), `application_name` set so pg_stat_activity
 * says who is connected, a dedicated client for LISTEN (a pooled client cannot hold a LISTEN),
 * and dbNow(): the database's clock, which every host compares run times and leases against.
 * Never connect at module top level (`next build` imports route modules): pools are made lazily.
 */
import { drizzle, type NodePgDatabase } from "drizzle-orm/node-postgres";
import pg from "pg";
import * as schema from "./schema";

/** True for a `postgres://` or `postgresql://` URL (anything else is SQLite). */
export function isPostgresUrl(url: string | undefined): url is string {
  return url !== undefined && /^postgres(ql)?:\/\//i.test(url.trim());
}

/** PostgreSQL's type id of int8 (bigint): counts, ids and epoch-millisecond times. */
export const INT8_OID = 20;

/** Parses an int8 as a number; throws past ±2^53, where a number would silently round. */
export function parseInt8(value: string): number {
  const n = Number(value);
  if (!Number.isSafeInteger(n)) {
    throw new RangeError(`int8 value ${value} is outside JavaScript's safe integer range`);
  }
  return n;
}

/** Type parsers of Jobdeck's connections: pg's defaults with int8 as a guarded number. */
export const pgTypes: pg.CustomTypesConfig = {
  getTypeParser: ((oid: number, format?: string) =>
    oid === INT8_OID && format !== "binary"
      ? parseInt8
      : pg.types.getTypeParser(oid, format as "text")) as pg.CustomTypesConfig["getTypeParser"],
};

/** Options for a pool; each has a default. */
export interface PgPoolOptions {
  /** Shown in pg_stat_activity (default JOBDECK_APP_NAME, else `jobdeck`). */
  applicationName?: string;
  /** Most connections this pool opens (default JOBDECK_PG_POOL_MAX, else 10). */
  max?: number;
}

/** The settings of a client or pool for `url`. */
export function pgConfig(url: string, options: PgPoolOptions = {}): pg.PoolConfig {
  const max = options.max ?? Number(process.env.JOBDECK_PG_POOL_MAX ?? 10);
  return {
    connectionString: url,
    application_name: options.applicationName ?? process.env.JOBDECK_APP_NAME ?? "jobdeck",
    types: pgTypes,
    max: Number.isInteger(max) && max > 0 ? max : 10,
    idleTimeoutMillis: 30_000,
    connectionTimeoutMillis: 10_000,
  };
}

/** Opens a new pool on `url` (tests, the worker); close it with `end()`. */
export function openPgPool(url: string, options: PgPoolOptions = {}): pg.Pool {
  const pool = new pg.Pool(pgConfig(url, options));
  // An idle client's error (server restart, pg_terminate_backend) must not crash the process:
  // the pool drops that client and the next query connects again.
  pool.on("error", (error) => {
    console.warn(`postgres: idle connection lost (${error.message}); reconnecting on next use`);
  });
  return pool;
}

const POOLS_KEY = Symbol.for("jobdeck.pgPools");
type PoolCache = Map<string, pg.Pool>;

/** The process-wide pool for `url`, made on first use and cached on globalThis (dev reloads reuse it). */
export function getPgPool(url: string, options: PgPoolOptions = {}): pg.Pool {
  const g = globalThis as { [POOLS_KEY]?: PoolCache };
  const pools = (g[POOLS_KEY] ??= new Map());
  let pool = pools.get(url);
  if (!pool) {
    pool = openPgPool(url, options);
    pools.set(url, pool);
  }
  return pool;
}

/** Ends and forgets every process-wide pool (shutdown, tests). */
export async function closePgPools(): Promise<void> {
  const g = globalThis as { [POOLS_KEY]?: PoolCache };
  const pools = [...(g[POOLS_KEY]?.values() ?? [])];
  g[POOLS_KEY]?.clear();
  await Promise.all(pools.map((p) => p.end()));
}

/** Ends and forgets the process-wide pool for `url`, if one is open. */
export async function closePgPool(url: string): Promise<void> {
  const g = globalThis as { [POOLS_KEY]?: PoolCache };
  const pool = g[POOLS_KEY]?.get(url);
  g[POOLS_KEY]?.delete(url);
  await pool?.end();
}

/** Drizzle over a pool, typed with the PostgreSQL schema. */
export type PgDb = NodePgDatabase<typeof schema> & { $client: pg.Pool };

/** A Drizzle handle on `pool`. */
export function pgDrizzle(pool: pg.Pool): PgDb {
  return drizzle(pool, { schema });
}

/** Anything that runs a query: a pool, a pooled client or a plain client. */
export type Queryable = Pick<pg.Pool, "query"> | pg.ClientBase;

/** SQL for the database's clock in epoch milliseconds (clock_timestamp: real time, not the transaction's start). */
export const DB_NOW_MS = `(extract(epoch FROM clock_timestamp()) * 1000)::bigint`;

/** Reads the database's clock (epoch ms). Compare run times and leases with it, not Date.now(). */
export async function dbNow(db: Queryable): Promise<number> {
  const { rows } = await db.query<{ now: number }>(`SELECT ${DB_NOW_MS} AS now`);
  const now = rows[0]?.now;
  if (typeof now !== "number") throw new Error("dbNow: the database returned no time");
  return now;
}
