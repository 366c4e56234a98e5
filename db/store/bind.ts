/**
 * How the SQLite side turns its synchronous query functions (`fn(db, ...args)`) into a store
 * group's async methods. better-sqlite3 runs each statement on the calling thread, so the promise
 * only keeps callers written for an asynchronous database (PostgreSQL) working unchanged.
 */
import type { Db } from "../client";

/** A query function of the SQLite side: the connection first, then its own arguments. */
// eslint-disable-next-line @typescript-eslint/no-explicit-any -- any argument list is accepted
type QueryFn = (db: Db, ...args: any[]) => unknown;

/** The async method a query function becomes: the same arguments after `db`, a promise of its result. */
export type Bound<F> = F extends (db: Db, ...args: infer A) => infer R
  ? (...args: A) => Promise<Awaited<R>>
  : never;

/** A group of bound methods. */
export type BoundGroup<T extends Record<string, QueryFn>> = { [K in keyof T]: Bound<T[K]> };

/** Binds every function of `fns` to the connection `db()` opens (lazily, at the first call). */
export function bindGroup<T extends Record<string, QueryFn>>(db: () => Db, fns: T): BoundGroup<T> {
  const out: Record<string, (...args: unknown[]) => Promise<unknown>> = {};
  for (const [name, fn] of Object.entries(fns)) {
    out[name] = async (...args: unknown[]) => fn(db(), ...args);
  }
  return out as BoundGroup<T>;
}
