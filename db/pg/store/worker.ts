/**
 * The worker store on PostgreSQL (WorkerStore, db/store/worker.ts; issue 17). No global write
 * lock: `cycle` writes the outcomes and claims in one short transaction whose claim skips rows
 * other workers hold (`FOR UPDATE SKIP LOCKED`), so it never resolves null, and `whenWritable`
 * calls back on the next turn of the event loop. Leases, claim times and the due check use the
 * database's clock (the `now` the runner passes to hasDueJobs is its host's clock and is not used).
 *
 * Wake-ups come from LISTEN/NOTIFY: every enqueue (library, dashboard, hooks, retries, schedule
 * fires) and every job put back in the queue NOTIFYs JOBS_CHANNEL with the queue as payload, at
 * most once per queue per transaction (db/pg/queries/enqueue.ts). This store keeps one dedicated
 * LISTEN connection from open to close (db/pg/listen.ts, reconnecting with backoff). Each
 * notification moves the change token; only while a watch is on (the runner watches only while
 * idle) does it call back, so a busy worker is never woken by other processes' commits. Listening
 * from the start, rather than only while idle, is what makes the token trustworthy: a commit
 * between the worker's last look and the start of its watch still moves it (a LISTEN issued on
 * going idle would miss that commit, or would need a look after every LISTEN).
 *
 * When LISTEN is unavailable (turned off with `listen: false` or JOBDECK_PG_LISTEN=0 for
 * pgbouncer in transaction pooling, or the LISTEN connection is down), the token changes every
 * POLL_FALLBACK_MS, so the idle worker polls at that pace; when the connection comes back
 * (notifications may have been missed meanwhile) the token moves and watchers are called.
 */
import pg from "pg";
import type { ClaimRequest, WorkerStore, WorkerStoreOptions } from "../../store/worker";
import type { ClaimedJob } from "../../queries/claim";
import { claimJobsPg, recordOutcomesPg, renewLeasesPg } from "../claim";
import { openPgPool, type Queryable } from "../client";
import { startPgListener, type PgListener } from "../listen";
import { JOBS_CHANNEL } from "../queries/enqueue";
import {
  cancelRequestsPg,
  hasDueJobsPg,
  nextRunAtPg,
  releaseJobsPg,
  unclaimJobsPg,
  writeProgressPg,
} from "../queries/worker";
import { withTransaction } from "../tx";

/** Without a LISTEN connection, the change token moves this often (ms): the idle poll's pace. */
export const POLL_FALLBACK_MS = 100;

/** Options of pgWorkerStore. */
export interface PgWorkerStoreOptions extends WorkerStoreOptions {
  /** Hold a LISTEN connection (default: true unless JOBDECK_PG_LISTEN=0). */
  listen?: boolean;
  /** One line per LISTEN connection event (default console.warn). */
  log?: (line: string) => void;
  /** URL for the LISTEN connection when given a pool (default: the pool's connection string). */
  listenUrl?: string;
}

/**
 * Opens the worker store of `workerId` on `target`: a URL (the store opens and closes a pool of
 * its own) or a pool (left open at close). `options.housekeeping` has nothing to run on
 * PostgreSQL (the server vacuums; upkeep folds the counters).
 */
export function pgWorkerStore(
  target: string | pg.Pool,
  workerId: string,
  options: PgWorkerStoreOptions = {},
): WorkerStore {
  const ownsPool = typeof target === "string";
  const pool =
    typeof target === "string"
      ? openPgPool(target, { max: 4, applicationName: `jobdeck-worker:${workerId}` })
      : target;
  const url =
    options.listenUrl ?? (typeof target === "string" ? target : target.options.connectionString);
  const wantsListen = options.listen ?? process.env.JOBDECK_PG_LISTEN !== "0";
  const log = options.log ?? ((line: string) => console.warn(line));
  const watchers = new Set<() => void>();
  let notices = 0;
  /** The database's clock minus this host's (ms), learned at each claim. */
  let clockOffsetMs = 0;

  /** Claims, learning the clock offset from the claim's time (the database's, at the claim). */
  async function claim(q: Queryable, request: ClaimRequest): Promise<ClaimedJob[]> {
    const before = Date.now();
    const claimed = await claimJobsPg(q, workerId, request.limit, request.queues, request.leaseMs);
    if (claimed.length > 0) clockOffsetMs = claimed[0]!.startedAt - (before + Date.now()) / 2;
    return claimed;
  }
  let listener: PgListener | null = null;

  function changed(): void {
    notices++;
    for (const onChange of [...watchers]) onChange();
  }

  if (wantsListen && !url) {
    log(`postgres: no URL for the LISTEN connection; polling every ${POLL_FALLBACK_MS} ms`);
  } else if (wantsListen && url) {
    listener = startPgListener(
      url,
      [JOBS_CHANNEL],
      { onNotify: changed, onReconnect: changed, log },
      { applicationName: `jobdeck-worker:${workerId}` },
    );
    listener.ready.then(changed, (error: unknown) => {
      log(
        `postgres: LISTEN unavailable (${error instanceof Error ? error.message : String(error)}); polling every ${POLL_FALLBACK_MS} ms`,
      );
    });
  }

  return {
    workerId,
    now: () => Math.round(Date.now() + clockOffsetMs),
    async cycle(outcomes, request) {
      const wantsClaim = request.limit > 0;
      if (outcomes.length === 0) {
        return { lost: [], claimed: wantsClaim ? await claim(pool, request) : [] };
      }
      return withTransaction(pool, async (client) => {
        const lost = await recordOutcomesPg(client, workerId, outcomes);
        return { lost, claimed: wantsClaim ? await claim(client, request) : [] };
      });
    },
    whenWritable(_misses, onReady) {
      const tick = setImmediate(onReady);
      return () => clearImmediate(tick);
    },
    watchCommits(onChange) {
      const watch = () => onChange();
      watchers.add(watch);
      return () => {
        watchers.delete(watch);
      };
    },
    async changeToken() {
      if (listener?.isListening()) return notices;
      // No LISTEN: a token that moves every POLL_FALLBACK_MS makes the idle worker poll.
      return notices + Math.floor(Date.now() / POLL_FALLBACK_MS);
    },
    claimJobs: (limit, queues, leaseMs) => claim(pool, { limit, queues, leaseMs }),
    recordOutcomes: (outcomes) =>
      withTransaction(pool, (client) => recordOutcomesPg(client, workerId, outcomes)),
    unclaimJobs: (jobs) => withTransaction(pool, (client) => unclaimJobsPg(client, jobs)),
    async renewLeases(leaseMs, progress = []) {
      await writeProgressPg(pool, progress);
      return renewLeasesPg(pool, workerId, leaseMs);
    },
    releaseJobs: (jobs) => withTransaction(pool, (client) => releaseJobsPg(client, workerId, jobs)),
    writeProgress: (progress) => writeProgressPg(pool, progress),
    hasDueJobs: (_now, queues) => hasDueJobsPg(pool, queues),
    nextRunAt: () => nextRunAtPg(pool),
    cancelRequests: () => cancelRequestsPg(pool, workerId),
    async close() {
      watchers.clear();
      await listener?.close();
      listener = null;
      if (ownsPool) await pool.end();
    },
  };
}
