/**
 * The worker's claim/outcome round and its leases, for one worker id. (Its first version wraps the
 * SQLite worker statements of db/queries/claim.ts one to one.)
 */
import type { Db } from "../client";
import { createWorkerStore } from "../queries/claim";

type SqliteWorker = ReturnType<typeof createWorkerStore>;

/** The worker's round: claim, record outcomes, leases, progress. */
export type WorkerStore = {
  [K in keyof SqliteWorker]: SqliteWorker[K] extends (...args: infer A) => infer R
    ? (...args: A) => Promise<Awaited<R>>
    : never;
};

export function sqliteWorkerStore(db: Db, workerId: string): WorkerStore {
  const sync = createWorkerStore(db, workerId);
  const out: Record<string, (...args: unknown[]) => Promise<unknown>> = {};
  for (const [name, fn] of Object.entries(sync)) {
    out[name] = async (...args: unknown[]) => (fn as (...a: unknown[]) => unknown)(...args);
  }
  return out as WorkerStore;
}
