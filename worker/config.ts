/**
 * The worker's settings from its command line, validated at start with messages that say what to
 * fix (for example a heartbeat that is not well under the lease).
 */
import os from "node:os";
import { parseArgs } from "node:util";
import { NUMBER_RANGES, parseDecimal } from "@/db/limits";
import { joinNegativeValues } from "./cli/common";
import { DEFAULT_RETRY_POLICY } from "./retry-policy";

/** Validated worker settings (times in ms). */
export interface WorkerConfig {
  concurrency: number;
  /** null = every queue. */
  queues: string[] | null;
  timeoutMs: number;
  leaseMs: number;
  heartbeatMs: number;
  graceMs: number;
  cancelGraceMs: number;
  backoffBaseMs: number;
  isBurst: boolean;
  hasScheduler: boolean;
}

/** `npm run worker -- --help`. */
export const WORKER_HELP = `Usage: npm run worker -- [options]

Runs registered tasks from the queue. Several workers may run at once on one database.

Options:
  --concurrency N     jobs run at once, each in its own thread (default 4)
  --queues a,b        only these queues (default: every queue)
  --timeout SECONDS   default job timeout; a job running longer is killed (default 300)
  --lease SECONDS     lease of a claimed job, renewed by heartbeat (default 30)
  --heartbeat SECONDS lease renewal interval, at most a third of the lease (default lease/3)
  --grace SECONDS     on SIGTERM/SIGINT, wait this long for running jobs (default 30)
  --backoff SECONDS   first retry delay; doubles per attempt, ±25 % jitter (default 1)
  --burst             run the due jobs, then exit 0
  --no-scheduler      do not fire periodic schedules from this worker
  -h, --help          show this help

Environment: DATABASE_URL (default data/jobdeck.db), JOBDECK_SYNCHRONOUS (default NORMAL),
JOBDECK_SAVE_LIMIT / JOBDECK_SAVE_DAYS / JOBDECK_FAILURE_DAYS (retention).
A first SIGTERM/SIGINT stops claiming and waits for running jobs; a second exits at once.`;

/** Thrown for a bad setting; the message names the option. */
export class ConfigError extends Error {}

function seconds(value: string | undefined, name: string, fallback: number, min: number): number {
  if (value === undefined) return fallback;
  const n = parseDecimal(value.trim());
  if (Number.isNaN(n))
    throw new ConfigError(`--${name} must be a plain decimal number of seconds, got "${value}"`);
  const max = NUMBER_RANGES.timeout.max;
  if (n < min || n > max)
    throw new ConfigError(`--${name} must be between ${min} and ${max} seconds, got ${value}`);
  return Math.round(n * 1000);
}

/** The worker's options (node:util parseArgs). */
const WORKER_OPTIONS = {
  concurrency: { type: "string" },
  queues: { type: "string" },
  timeout: { type: "string" },
  lease: { type: "string" },
  heartbeat: { type: "string" },
  grace: { type: "string" },
  backoff: { type: "string" },
  burst: { type: "boolean" },
  "no-scheduler": { type: "boolean" },
  help: { type: "boolean", short: "h" },
} as const;

/** Parses and validates the worker's argv; throws ConfigError with a message saying what to fix. */
export function parseWorkerConfig(argv: string[]): WorkerConfig | "help" {
  let values;
  try {
    ({ values } = parseArgs({
      args: joinNegativeValues(argv, WORKER_OPTIONS),
      strict: true,
      allowPositionals: false,
      options: WORKER_OPTIONS,
    }));
  } catch (error) {
    throw new ConfigError(`${(error as Error).message}\n\n${WORKER_HELP}`);
  }
  if (values.help) return "help";
  const concurrency =
    values.concurrency === undefined ? 4 : parseDecimal(values.concurrency.trim());
  if (!Number.isInteger(concurrency) || concurrency < 1 || concurrency > 256) {
    throw new ConfigError(
      `--concurrency must be a whole number from 1 to 256, got "${values.concurrency}"`,
    );
  }
  let queues: string[] | null = null;
  if (values.queues !== undefined) {
    queues = values.queues.split(",").map((q) => q.trim());
    if (queues.some((q) => q === ""))
      throw new ConfigError(`--queues must be comma-separated names, got "${values.queues}"`);
  }
  const leaseMs = seconds(values.lease, "lease", 30_000, 1);
  // The default rounds down: lease/3 rounded to the nearest ms can exceed a third (5 s -> 1,667 ms).
  const heartbeatMs = seconds(values.heartbeat, "heartbeat", Math.floor(leaseMs / 3), 0.05);
  if (heartbeatMs * 3 > leaseMs) {
    throw new ConfigError(
      `--heartbeat (${heartbeatMs / 1000} s) must be at most a third of --lease (${leaseMs / 1000} s), so that a late heartbeat or two never lets a live job's lease expire`,
    );
  }
  return {
    concurrency,
    queues,
    timeoutMs: seconds(values.timeout, "timeout", 300_000, 0.01),
    leaseMs,
    heartbeatMs,
    graceMs: seconds(values.grace, "grace", 30_000, 0),
    cancelGraceMs: 5_000,
    backoffBaseMs: seconds(values.backoff, "backoff", DEFAULT_RETRY_POLICY.baseMs, 0),
    isBurst: values.burst === true,
    hasScheduler: values["no-scheduler"] !== true,
  };
}

/** A worker id unique across hosts and restarts: host:pid:random. */
export function newWorkerId(): string {
  return `${os.hostname()}:${process.pid}:${Math.random().toString(36).slice(2, 8)}`;
}
