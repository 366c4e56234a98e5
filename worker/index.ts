/**
 * `npm run worker`: the worker process. Reads its settings, opens (and migrates) the database,
 * starts its first executor thread, syncs the task catalog that thread loaded, registers itself,
 * then runs the loop, the upkeep chores and the scheduler until a signal: the first SIGTERM/SIGINT
 * stops claiming and waits for running jobs up to the grace period, then releases the rest; a
 * second exits at once.
 */
import os from "node:os";
import { openStore } from "@/db/store";
import {
  ConfigError,
  newWorkerId,
  parseWorkerConfig,
  WORKER_HELP,
  type WorkerConfig,
} from "./config";
import { buildExecutorBundle } from "./executor-bundle";
import { createExecutorPool } from "./executor";
import { createLogger } from "./log";
import { startRunner, type Runner } from "./runner";
import { startUpkeep } from "./upkeep";

function readConfig(): WorkerConfig {
  try {
    const config = parseWorkerConfig(process.argv.slice(2));
    if (config === "help") {
      console.log(WORKER_HELP);
      process.exit(0);
    }
    return config;
  } catch (error) {
    if (error instanceof ConfigError) {
      console.error(`error: ${error.message}`);
      process.exit(2);
    }
    throw error;
  }
}

/**
 * Signal handling, installed before anything else so that a signal during start-up is never met
 * by the default action (instant death). The first signal asks for a graceful stop (run once the
 * worker is up, if it is still starting); a second one, a second or more later, exits at once.
 */
function installSignalHandlers(log: ReturnType<typeof createLogger>) {
  let stop: ((reason: string) => void) | null = null;
  let requested: string | null = null;
  let firstAt = 0;
  for (const signal of ["SIGTERM", "SIGINT"] as const) {
    process.on(signal, () => {
      // `npm run` forwards the terminal's Ctrl-C as well: copies within a second count as one.
      if (requested !== null && Date.now() - firstAt < 1000) return;
      if (requested !== null) {
        log(
          "worker:killed",
          { signal, note: "second signal: exiting now; leases bring running jobs back" },
          "error",
        );
        process.exit(130);
      }
      requested = signal;
      firstAt = Date.now();
      stop?.(signal);
    });
  }
  return {
    /** Registers the graceful stop; runs it now if a signal already came. */
    onStop(fn: (reason: string) => void) {
      stop = fn;
      if (requested !== null) fn(requested);
    },
  };
}

async function main(): Promise<void> {
  const config = readConfig();
  const log = createLogger();
  const signals = installSignalHandlers(log);
  // Opens (and migrates) the database: the connection of the upkeep chores and the scheduler.
  const store = await openStore();
  const workerId = newWorkerId();

  let runner: Runner | null = null;
  const bundle = await buildExecutorBundle();
  const pool = createExecutorPool({
    size: config.concurrency,
    bundlePath: bundle.path,
    remapStack: bundle.remapStack,
    onProgress: (jobId, value, message) => runner?.onProgress(jobId, value, message),
    onActivity: () => runner?.onActivity(),
    onThreadError: (error) => log("executor:thread-error", { error: error.message }, "error"),
  });
  // The catalog comes from the first executor thread, the only place task modules are loaded.
  await store.upkeep.syncTaskCatalog(await pool.ready());
  await store.upkeep.registerWorker({
    id: workerId,
    host: os.hostname(),
    pid: process.pid,
    concurrency: config.concurrency,
    queues: config.queues,
  });
  const fatal = (error: unknown) => {
    log("worker:fatal", { error: String(error), stack: (error as Error)?.stack }, "error");
    process.exit(1);
  };
  const scheduler = config.hasScheduler
    ? (await import("./scheduler")).startScheduler(store.upkeep, { log })
    : null;
  // The runner's store has its own connection (where the database needs one: see
  // db/sqlite/worker-store.ts) and runs the database's own chores (SQLite: WAL checkpoints).
  const workerStore = store.worker(workerId, {
    housekeeping: {
      onError: (chore, error) => log(`upkeep:${chore}-failed`, { error }, "error"),
    },
  });
  runner = startRunner({ store: workerStore, pool, config, log, onFatal: fatal });
  const stopUpkeep = startUpkeep(
    store.upkeep,
    { workerId, leaseMs: config.leaseMs, heartbeatMs: config.heartbeatMs },
    log,
  );
  log("worker:started", {
    workerId,
    concurrency: config.concurrency,
    queues: config.queues ?? "*",
    leaseMs: config.leaseMs,
    timeoutMs: config.timeoutMs,
    scheduler: config.hasScheduler,
    burst: config.isBurst,
  });

  let stopping = false;
  const shutdown = async (reason: string) => {
    if (stopping) return;
    stopping = true;
    log("worker:stopping", { reason, running: runner!.inFlightCount(), graceMs: config.graceMs });
    stopUpkeep();
    await scheduler?.stop();
    const { released, returned } = await runner!.stop(config.isBurst ? 0 : config.graceMs);
    await store.upkeep.markWorkerStopped(workerId);
    await workerStore.close();
    await store.close();
    log("worker:stopped", { workerId, released, returned });
    process.exit(0);
  };
  signals.onStop((reason) => void shutdown(reason).catch(fatal));
  void runner.done.then(() => {
    if (config.isBurst) void shutdown("burst: queue drained").catch(fatal);
  });
}

main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
