/**
 * How the SQLite side turns its synchronous query functions (`fn(db, ...args)`) into a store
 * group's async methods. better-sqlite3 runs each statement on the calling thread, so the promise
 * only keeps callers written for an asynchronous database (PostgreSQL) working unchanged.
 */
import type { Db } from "../client";

/** The async method a query function becomes: its arguments after `db`, a promise of its result. */
type Bound<F> = F extends (db: Db, ...args: infer A) => infer R
  ? (...args: A) => Promise<Awaited<R>>
  : unknown;

/**
 * Binds every query function of `queries` (usually whole query modules spread together) to the
 * connection `db()` opens at the first call. The group's interface, declared by the caller's
 * return type, picks the members and the compiler checks each against its query function.
 */
export function bindQueries<Q extends object>(
  db: () => Db,
  queries: Q,
): { [K in keyof Q]: Bound<Q[K]> } {
  const out: Record<string, unknown> = {};
  for (const [name, fn] of Object.entries(queries)) {
    if (typeof fn === "function") out[name] = async (...args: unknown[]) => fn(db(), ...args);
  }
  return out as { [K in keyof Q]: Bound<Q[K]> };
}
