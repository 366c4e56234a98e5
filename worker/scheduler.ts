/**
 * The scheduler loop inside every worker: every tick it fires the due schedules. Several workers
 * may run it at once; exactly-once comes from the database (fireDueSchedules), not from a leader.
 */
import type { UpkeepStore } from "@/db/store/upkeep";

/** Options of startScheduler. */
export interface SchedulerOptions {
  /** Milliseconds between checks (default 1000, so a due schedule fires within about a second). */
  tickMs?: number;
  /** Event sink (default: silent). Events: `schedule:fired`, `schedule:error`, `scheduler:error`. */
  log?: (event: string, data: Record<string, unknown>, level?: "debug" | "info" | "error") => void;
  /** The clock (default Date.now); tests pass a fake one. */
  now?: () => number;
  /** Most runs one schedule fires per tick under catch-up "all" (default 100). */
  maxPerSchedule?: number;
  /** Milliseconds between prunes of old run records (default one hour; the first a minute in). */
  pruneEveryMs?: number;
}

/** A running scheduler. */
export interface Scheduler {
  /** Stops ticking and waits for a tick in progress to end. */
  stop(): Promise<void>;
}

/** One tick: fire what is due and log it; never rejects (a failing tick is logged and retried next tick). */
export async function schedulerTick(store: UpkeepStore, options: SchedulerOptions): Promise<void> {
  const log = options.log ?? (() => {});
  try {
    const report = await store.fireDueSchedules((options.now ?? Date.now)(), {
      maxPerSchedule: options.maxPerSchedule,
    });
    for (const run of report.fired) log("schedule:fired", { ...run }, "info");
    for (const { scheduleId, error } of report.errors) {
      log("schedule:error", { scheduleId, error: error.message, stack: error.stack }, "error");
    }
  } catch (error) {
    // The database busy past its timeout, a closed connection, ...: log and try again next tick.
    log("scheduler:error", { error: String(error), stack: (error as Error)?.stack }, "error");
  }
}

/** Prunes old run records; never rejects (logged, retried at the next prune). */
export async function schedulerPrune(store: UpkeepStore, options: SchedulerOptions): Promise<void> {
  const log = options.log ?? (() => {});
  try {
    const pruned = await store.pruneScheduleRuns((options.now ?? Date.now)());
    if (pruned > 0) log("schedule:runs-pruned", { pruned }, "info");
  } catch (error) {
    log("scheduler:error", { error: String(error), stack: (error as Error)?.stack }, "error");
  }
}

/** Starts the scheduler loop on the store's upkeep group; the first check runs at once. */
export function startScheduler(store: UpkeepStore, options: SchedulerOptions = {}): Scheduler {
  const tickMs = Math.max(10, options.tickMs ?? 1000);
  let timer: NodeJS.Timeout | null = null;
  const pruneEveryMs = options.pruneEveryMs ?? 60 * 60 * 1000;
  let nextPruneAt = Date.now() + Math.min(pruneEveryMs, 60_000);
  let isStopped = false;
  let ticking: Promise<void> | null = null;
  const tick = async () => {
    await schedulerTick(store, options);
    if (Date.now() >= nextPruneAt) {
      nextPruneAt = Date.now() + pruneEveryMs;
      await schedulerPrune(store, options);
    }
  };
  const loop = () => {
    if (isStopped) return;
    ticking = tick().finally(() => {
      ticking = null;
      // setTimeout after the tick (not setInterval): ticks never overlap or pile up behind a slow one.
      if (!isStopped) timer = setTimeout(loop, tickMs);
    });
  };
  timer = setTimeout(loop, 0);
  return {
    stop: async () => {
      isStopped = true;
      if (timer) clearTimeout(timer);
      await ticking;
    },
  };
}
