/**
 * The worker's loop. Each round takes what the executor threads finished, writes those outcomes
 * and claims the next jobs in one short write (`store.cycle`), and hands the claimed jobs to idle
 * threads in batches. Batches are sized by how long jobs take (many tiny jobs per batch, one slow
 * job per batch); slow jobs are claimed only for a thread that starts them at once, tiny ones two
 * batches per thread ahead (at most MAX_HELD). Threads start as the running ones stay busy. An idle
 * worker waits for a bell from a thread, a commit by another process (`store.watchCommits`, the
 * change token) or a delayed job coming due. Heartbeats renew the leases; on stop, unstarted jobs
 * go back uncounted, running ones finish within the grace period or are released.
 *
 * One round runs at a time: a request for a round while one is in progress (store calls are
 * async) runs one more round after it. A round, step by step (see `round`): take what the threads
 * finished → size the claim → decide whether outcomes are due to be written → write and claim (or,
 * when the database is busy, wait until it is writable) → end a drained burst → grow the threads.
 * Its state is runner-state.ts; the idle wake-ups runner-idle.ts; leases, cancels and progress
 * runner-leases.ts; what an outcome says outcomes.ts.
 */
import type { ClaimedJob, Outcome, WorkerStore } from "@/db/store/worker";
import type { WorkerConfig } from "./config";
import type { ExecutorPool, Finished, PoolJob } from "./executor";
import { MAX_BATCH } from "./executor-protocol";
import type { Logger } from "./log";
import { cancelledBeforeStart, logWritten, outcomeOf } from "./outcomes";
import { DEFAULT_RETRY_POLICY, type RetryPolicy } from "./retry-policy";
import { idleWakeUps } from "./runner-idle";
import { leaseKeeper, PROGRESS_FLUSH_MS } from "./runner-leases";
import { initialState, oneAtATime } from "./runner-state";

/** What the runner needs. */
export interface RunnerDeps {
  /** The worker's store: rounds, leases, wake-ups (the database's machinery is behind it). */
  store: WorkerStore;
  pool: ExecutorPool;
  config: WorkerConfig;
  log: Logger;
  /** Called when an outcome cannot be written: the process must exit non-zero. */
  onFatal(error: unknown): void;
}

/** A thread's batch is sized to take about this long, by the average job duration. */
const BATCH_BUDGET_MS = 2;
/** Outcomes are written once this many wait... */
const MIN_WRITE = 64;
/** ...or the oldest has waited this long (ms). */
const MAX_WRITE_DELAY_MS = 2;
/** Thread use is judged over windows of this length... */
const GROW_WINDOW_MS = 20;
/** ...and threads busy this share of it while work waits start the rest (up to --concurrency). */
const GROW_BUSY = 0.75;
/** Most jobs a worker holds claimed ahead (fast jobs only). */
const MAX_HELD = 512;

/** Starts the loop; `done` resolves when a burst drains (or the runner stops). */
export function startRunner({ store, pool, config, log, onFatal }: RunnerDeps) {
  const retryPolicy: RetryPolicy = { ...DEFAULT_RETRY_POLICY, baseMs: config.backoffBaseMs };
  const state = initialState(BATCH_BUDGET_MS);
  const { jobs, writes, idle, lock, growth, rounds } = state;
  let resolveDone!: () => void;
  const done = new Promise<void>((resolve) => (resolveDone = resolve));

  // ---- Rounds ---------------------------------------------------------------------------------

  /** Asks for a round soon (one more after the round in progress, if any). */
  function schedule(): void {
    if (rounds.isScheduled) return;
    if (rounds.current) {
      rounds.again = true;
      return;
    }
    rounds.isScheduled = true;
    setImmediate(runRound);
  }

  function runRound(): void {
    rounds.isScheduled = false;
    if (rounds.isStopping) return;
    const after = () => {
      rounds.current = null;
      if (rounds.again) {
        rounds.again = false;
        schedule();
      }
    };
    rounds.current = round().then(after, (error: unknown) => {
      after();
      onFatal(error);
    });
  }

  /**
   * One round. (Store calls are awaited only where one is made: a busy worker runs thousands of
   * rounds a second, and each await costs a turn of the microtask queue.)
   */
  async function round(): Promise<void> {
    const now = Date.now();
    let progressed = takeFinished();
    let limit = claimLimit();
    // A read first: a worker with nothing to do never takes the write lock.
    if (
      limit > 0 &&
      writes.outcomes.length === 0 &&
      !(await store.hasDueJobs(store.now(), config.queues))
    ) {
      limit = 0;
      await setNoWork();
    }
    // Write when threads need work, or enough outcomes wait, or the oldest has waited long
    // enough: fewer, larger transactions, which matters most when workers share the lock.
    const wantClaim = limit > 0 && jobs.buffer.length === 0;
    const wantWrite = isWriteDue(now);
    if ((wantClaim || wantWrite) && !lock.cancel) {
      if (!(await writeAndClaim(limit))) return waitUntilWritable();
      progressed = true;
    }
    if (
      config.isBurst &&
      !idle.mayHaveWork &&
      jobs.inFlight.size === 0 &&
      jobs.buffer.length === 0
    ) {
      if (!(await store.hasDueJobs(store.now(), config.queues))) return resolveDone();
      await look();
      progressed = true;
    }
    const growing = growIfBehind(now);
    if (growing) await growing;
    if (progressed || pool.arm()) schedule();
  }

  /** Takes what the threads finished or handed back, and hands out buffered jobs. */
  function takeFinished(): boolean {
    const { finished, reclaimed } = pool.drain();
    for (const f of finished) onFinished(f);
    onReclaimed(reclaimed, []);
    const tookAny = finished.length > 0 || reclaimed.length > 0;
    return dispatchBuffered() || tookAny;
  }

  /** How many jobs to claim now, by batch size and what the worker holds (0 when it may have none). */
  function claimLimit(): number {
    if (!idle.mayHaveWork) return 0;
    const size = batchSize();
    const held = jobs.buffer.length + pool.assignedCount();
    // Slow jobs: claim only what an idle thread starts at once, so a claimed job rarely waits
    // (a claim counts an attempt). Fast jobs: claim ahead, two batches per thread.
    const limit =
      size === 1
        ? pool.idleCount() - jobs.buffer.length
        : Math.min(MAX_HELD, pool.threadCount() * size * 2) - held;
    return Math.max(0, limit);
  }

  /** True when the waiting outcomes should be written now; else sets the timer that will. */
  function isWriteDue(now: number): boolean {
    const waiting = writes.outcomes.length;
    const isDue = waiting >= MIN_WRITE || (waiting > 0 && now - writes.since >= MAX_WRITE_DELAY_MS);
    if (waiting > 0 && !isDue && !writes.timer) {
      writes.timer = setTimeout(
        () => {
          writes.timer = null;
          schedule();
        },
        writes.since + MAX_WRITE_DELAY_MS - now,
      );
    }
    return isDue;
  }

  /** The write round: outcomes written, up to `limit` jobs claimed. False: the database was busy. */
  async function writeAndClaim(limit: number): Promise<boolean> {
    const outcomes = writes.outcomes.slice();
    const written = await store.cycle(outcomes, {
      limit,
      queues: config.queues,
      leaseMs: config.leaseMs,
    });
    if (written === null) return false;
    lock.misses = 0;
    afterWrite(outcomes, written.lost);
    for (const job of written.claimed) {
      jobs.inFlight.set(job.id, job);
      jobs.buffer.push(job);
    }
    dispatchBuffered();
    if (limit > 0 && written.claimed.length < limit) await setNoWork();
    return true;
  }

  /** The database was busy: the next round comes when it is writable; the threads go on. */
  function waitUntilWritable(): void {
    lock.cancel = store.whenWritable(lock.misses++, () => {
      lock.cancel = null;
      schedule();
    });
  }

  // ---- Jobs and outcomes ----------------------------------------------------------------------

  const batchSize = () =>
    Math.max(
      1,
      Math.min(MAX_BATCH, Math.floor(BATCH_BUDGET_MS / Math.max(growth.averageMs, 0.005))),
    );

  function toPoolJob(job: ClaimedJob): PoolJob {
    return {
      id: job.id,
      task: job.task,
      args: job.args,
      attempt: job.attempts,
      timeoutMs: job.timeoutMs ?? config.timeoutMs,
    };
  }

  function addOutcome(o: Outcome): void {
    if (writes.outcomes.length === 0) writes.since = Date.now();
    writes.outcomes.push(o);
  }

  function onFinished(f: Finished): void {
    const job = jobs.inFlight.get(f.job.id);
    if (!job) return;
    writes.progress.delete(job.id);
    if (jobs.releasing.has(job.id)) return; // shutdown: released, not recorded
    const ms = f.stoppedAt - f.startedAt;
    growth.averageMs = growth.averageMs * 0.9 + ms * 0.1;
    growth.busyMs += ms;
    // The thread timed the run on this host's clock; the database keeps times on its own.
    const toDatabaseClock = store.now() - Date.now();
    const run = {
      startedAt: f.startedAt + toDatabaseClock,
      stoppedAt: f.stoppedAt + toDatabaseClock,
      isCancelRequested: jobs.cancelRequested.has(job.id),
    };
    addOutcome(outcomeOf(job, f.execution, run, retryPolicy));
  }

  /** Jobs a thread handed back unstarted: cancelled, lost, returned (stopping) or run elsewhere. */
  function onReclaimed(handedBack: PoolJob[], unclaim: ClaimedJob[]): void {
    const again: ClaimedJob[] = [];
    for (const p of handedBack) {
      const job = jobs.inFlight.get(p.id);
      if (!job) continue;
      if (jobs.leaseLost.has(job.id)) {
        jobs.inFlight.delete(job.id);
        jobs.leaseLost.delete(job.id);
      } else if (jobs.cancelRequested.has(job.id))
        addOutcome(cancelledBeforeStart(job, store.now()));
      else if (rounds.isStopping) unclaim.push(job);
      else again.push(job);
    }
    jobs.buffer.unshift(...again);
  }

  function dispatchBuffered(): boolean {
    let isAny = false;
    const size = batchSize();
    for (let free = pool.idleCount(); jobs.buffer.length > 0 && free > 0; free--) {
      const batch = jobs.buffer.splice(0, Math.min(size, Math.ceil(jobs.buffer.length / free)));
      if (!pool.dispatch(batch.map(toPoolJob))) {
        jobs.buffer.unshift(...batch);
        break;
      }
      isAny = true;
    }
    return isAny;
  }

  /** Forgets the first `outcomes` (now written) and their jobs; logs them. */
  function afterWrite(outcomes: Outcome[], lost: number[]): void {
    writes.outcomes.splice(0, outcomes.length);
    // Outcomes that arrived during the write (a cancel) wait from now.
    if (writes.outcomes.length > 0) writes.since = Date.now();
    const lostIds = new Set(lost);
    for (const o of outcomes) {
      const id = o.job.id;
      jobs.leaseLost.delete(id);
      // A retry this worker wrote is its own commit: the change token will not tell the idle check.
      if (o.kind === "error" && o.retryAt !== null && !lostIds.has(id))
        idle.nextRunAt = idle.nextRunAt === null ? o.retryAt : Math.min(idle.nextRunAt, o.retryAt);
      jobs.inFlight.delete(id);
      jobs.cancelRequested.delete(id);
      logWritten(log, o, lostIds.has(id));
    }
  }

  /** Writes the waiting outcomes (no claim). */
  async function flushOutcomes(): Promise<void> {
    if (writes.outcomes.length === 0) return;
    const outcomes = writes.outcomes.slice();
    afterWrite(outcomes, await store.recordOutcomes(outcomes));
  }

  // ---- Thread growth --------------------------------------------------------------------------

  /**
   * Starts the missing threads when the running ones are busy (they spent at least GROW_BUSY of
   * the last window running jobs) while work waits. Tiny jobs keep one thread far from busy and
   * never start more; jobs that take time start them all within a window.
   */
  function growIfBehind(now: number): Promise<void> | null {
    if (pool.threadCount() >= config.concurrency) return null;
    if (jobs.buffer.length === 0 && !idle.mayHaveWork) return null;
    const elapsed = now - growth.windowStart;
    if (elapsed >= GROW_WINDOW_MS) {
      const busy =
        (growth.busyMs + pool.runningMs(growth.windowStart, now)) / (elapsed * pool.threadCount());
      growth.windowStart = now;
      growth.busyMs = 0;
      if (busy >= GROW_BUSY) {
        if (jobs.buffer.length > 0) pool.grow();
        else return growIfDue(now);
        return null;
      }
    }
    // Work waits and threads could start: judge the next window even if nothing else happens.
    growth.timer ??= setTimeout(() => {
      growth.timer = null;
      schedule();
    }, GROW_WINDOW_MS);
    return null;
  }

  /** Busy threads and nothing buffered: start the rest only if jobs are due. */
  async function growIfDue(now: number): Promise<void> {
    if (await store.hasDueJobs(now, config.queues)) pool.grow();
  }

  // ---- Idle: see runner-idle.ts -------------------------------------------------------------

  const { setNoWork, look } = idleWakeUps({ store, idle, rounds, schedule, log });

  // ---- Leases, cancels, progress: see runner-leases.ts --------------------------------------

  const { heartbeat, flushProgress } = leaseKeeper({
    store,
    pool,
    config,
    log,
    jobs,
    writes,
    schedule,
    addOutcome,
  });
  const heartbeatTimer = setInterval(oneAtATime(heartbeat), config.heartbeatMs);
  const progressTimer = setInterval(oneAtATime(flushProgress), PROGRESS_FLUSH_MS);

  schedule();

  const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

  /**
   * Stops claiming; jobs not yet started go back to the queue uncounted; running ones get up to
   * `graceMs` to finish, then are stopped and put back. Resolves when every outcome is written.
   */
  async function stop(graceMs: number): Promise<{ released: number; returned: number }> {
    rounds.isStopping = true;
    await rounds.current; // a round in progress ends first
    if (idle.timer) clearTimeout(idle.timer);
    lock.cancel?.();
    lock.cancel = null;
    idle.unwatch?.();
    idle.unwatch = null;
    resolveDone();
    pool.sealAll();
    const unclaim = jobs.buffer.splice(0);
    const collect = async () => {
      const { finished, reclaimed } = pool.drain();
      for (const f of finished) onFinished(f);
      onReclaimed(reclaimed, unclaim);
      await flushOutcomes();
    };
    await collect();
    const back = unclaim.splice(0);
    const returned = back.length > 0 ? await store.unclaimJobs(back) : 0;
    for (const job of back) jobs.inFlight.delete(job.id);
    const deadline = Date.now() + graceMs;
    while (pool.runningIds().length > 0 && Date.now() < deadline) {
      await sleep(20);
      await collect();
    }
    await collect();
    const left = pool.runningIds().flatMap((id) => jobs.inFlight.get(id) ?? []);
    for (const job of left) jobs.releasing.add(job.id);
    await pool.close();
    await collect();
    clearInterval(heartbeatTimer);
    clearInterval(progressTimer);
    const released = left.length > 0 ? await store.releaseJobs(left) : 0;
    const lateReturned = unclaim.length > 0 ? await store.unclaimJobs(unclaim) : 0;
    return { released, returned: returned + lateReturned };
  }

  return {
    done,
    /** A thread finished something or handed jobs back. */
    onActivity(): void {
      if (!rounds.isStopping) schedule();
    },
    /** Called by the executor pool with a task's progress report. */
    onProgress(jobId: number, value: number, message: string | null): void {
      writes.progress.set(jobId, { value, message });
    },
    /** Jobs claimed and not yet recorded. */
    inFlightCount: () => jobs.inFlight.size,
    stop,
  };
}

/** The runner type. */
export type Runner = ReturnType<typeof startRunner>;
