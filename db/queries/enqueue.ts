/**
 * The enqueue side of the library: validate, then insert into the live queue.
 * Unknown task names are refused: the `tasks` table is the allowlist (see tasks.ts).
 */
import type { Db } from "../client";
import { InputError } from "../errors";
import {
  MAX_ARGS_BYTES,
  MAX_NAME_CHARS,
  NUMBER_RANGES,
  rangeProblem,
  textProblem,
  type NumberRange,
} from "../limits";
import { insertJobs, insertOne, type JobValues } from "./insert-jobs";
import { assertArgsMatchSchemas, assertKnownTasks } from "./tasks";

export { insertJobs } from "./insert-jobs";

/** Per-job options of enqueue; every one is optional. */
export interface EnqueueOptions {
  /** Queue name (default "default"). */
  queue?: string;
  /** Higher runs first (default 0); FIFO within a priority. */
  priority?: number;
  /** Seconds to wait before the job may run (default 0). */
  delay?: number;
  /** Earliest time to run (a Date or epoch milliseconds); wins over `delay`. */
  runAt?: Date | number;
  /** Group name: read its results together with getGroupResults. */
  group?: string;
  /** Seconds before a run is killed and recorded as a timeout (default: the worker's --timeout). */
  timeout?: number;
  /** Runs before the job fails for good (default 3). */
  maxAttempts?: number;
  /** While a job with this key is queued or running, enqueue returns that job's id instead. */
  uniqueKey?: string;
  /** Human-readable name shown in the dashboard (default: none, shown as the id). */
  name?: string;
  /** A task enqueued when this job ends, with `{ jobId, task, state, result, error }`. */
  hook?: string;
  /** Internal: the schedule that created the job. */
  scheduleId?: number;
  /** Internal: the failed job this one retries. */
  retryOf?: number;
}

/** One job for enqueueMany. */
export interface EnqueueInput {
  task: string;
  args?: unknown;
  options?: EnqueueOptions;
}

/** Default max attempts of a job. */
export const DEFAULT_MAX_ATTEMPTS = 3;

const FORBIDDEN_KEYS = new Set(["__proto__", "constructor", "prototype"]);
/** A forbidden name as it would appear quoted in JSON (JSON.stringify never escapes these). */
const FORBIDDEN_IN_JSON = /"(?:__proto__|constructor|prototype)"/;
/** Nesting past 64 levels takes at least 65 brackets a side, so shorter JSON cannot be too deep. */
const MIN_DEEP_JSON_CHARS = 130;

function checkName(value: string | undefined, field: string): string | null {
  if (value === undefined || value === null) return null;
  if (typeof value !== "string" || value.trim() === "") {
    throw new InputError(`${field} must be a non-empty string`, field);
  }
  if (value.length > MAX_NAME_CHARS) {
    throw new InputError(`${field} is longer than ${MAX_NAME_CHARS} characters`, field);
  }
  const problem = textProblem(value);
  if (problem) throw new InputError(`${field} ${problem}`, field);
  return value;
}

function checkNumber(value: number | undefined, field: string, range: NumberRange): number | null {
  if (value === undefined || value === null) return null;
  const problem = rangeProblem(value, range);
  if (problem) throw new InputError(`${field} ${problem}, got ${String(value)}`, field);
  return value;
}

function checkKeys(value: unknown, depth = 0): void {
  if (depth > 64) throw new InputError("args are nested more than 64 levels deep", "args");
  if (value === null || typeof value !== "object") return;
  for (const key of Object.keys(value)) {
    if (FORBIDDEN_KEYS.has(key))
      throw new InputError(`args may not contain the key "${key}"`, "args");
    checkKeys((value as Record<string, unknown>)[key], depth + 1);
  }
}

/**
 * Serialises and checks job arguments: JSON only, at most MAX_ARGS_BYTES, no prototype keys, at
 * most 64 levels deep. The key walk runs only when the JSON could hold a forbidden key or be too
 * deep (long, or naming one of the keys); the checks apply to what is stored, the JSON.
 */
export function serializeArgs(args: unknown): string {
  if (args === undefined) return "null";
  let json: string | undefined;
  try {
    json = JSON.stringify(args);
  } catch (error) {
    checkKeys(args); // a cycle or a deep object: report its depth or key, as before the stringify
    throw new InputError(`args are not JSON-serialisable: ${(error as Error).message}`, "args");
  }
  if (json === undefined) {
    checkKeys(args);
    throw new InputError("args are not JSON-serialisable", "args");
  }
  if (json.length >= MIN_DEEP_JSON_CHARS || FORBIDDEN_IN_JSON.test(json)) checkKeys(args);
  // A UTF-16 code unit is at most 3 UTF-8 bytes: short strings need no byte count.
  if (json.length * 3 > MAX_ARGS_BYTES) {
    const bytes = Buffer.byteLength(json);
    if (bytes > MAX_ARGS_BYTES) {
      throw new InputError(`args are ${bytes} bytes; the limit is ${MAX_ARGS_BYTES}`, "args");
    }
  }
  return json;
}

const NO_OPTIONS: EnqueueOptions = Object.freeze({});

/** Validates one job's input; throws InputError naming the field at fault. */
export function toJobValues(input: EnqueueInput, now: number): JobValues {
  if (input === null || typeof input !== "object") {
    throw new InputError("a job must be an object { task, args, options }", "job");
  }
  const o = input.options ?? NO_OPTIONS;
  if (o === null || typeof o !== "object")
    throw new InputError("options must be an object", "options");
  const task = checkName(input.task, "task");
  if (task === null) throw new InputError("task is required", "task");
  const delay = checkNumber(o.delay, "delay", NUMBER_RANGES.delay) ?? 0;
  let runAt = now + Math.round(delay * 1000);
  if (o.runAt !== undefined) {
    const at = o.runAt instanceof Date ? o.runAt.getTime() : o.runAt;
    if (typeof at !== "number" || !Number.isFinite(at))
      throw new InputError("runAt must be a date", "runAt");
    runAt = checkNumber(Math.round(at), "runAt", NUMBER_RANGES.runAt) ?? runAt;
  }
  const timeout = checkNumber(o.timeout, "timeout", NUMBER_RANGES.timeout);
  return {
    name: checkName(o.name, "name"),
    task,
    args: serializeArgs(input.args),
    queue: checkName(o.queue, "queue") ?? "default",
    priority: checkNumber(o.priority, "priority", NUMBER_RANGES.priority) ?? 0,
    group_name: checkName(o.group, "group"),
    unique_key: checkName(o.uniqueKey, "uniqueKey"),
    run_at: runAt,
    created_at: now,
    max_attempts:
      checkNumber(o.maxAttempts, "maxAttempts", NUMBER_RANGES.maxAttempts) ?? DEFAULT_MAX_ATTEMPTS,
    timeout_ms: timeout === null ? null : Math.round(timeout * 1000),
    hook: checkName(o.hook, "hook"),
    retry_of: o.retryOf ?? null,
    schedule_id: o.scheduleId ?? null,
  };
}

/** Enqueues one job of a registered task; returns its id (or the live job's with the same uniqueKey). */
export function enqueueJob(db: Db, task: string, args?: unknown, options?: EnqueueOptions): number {
  const row = toJobValues({ task, args, options }, Date.now());
  assertKnownTasks(db, row.hook ? [row.task, row.hook] : [row.task]);
  assertArgsMatchSchemas(db, [row]);
  return insertOne(db, row);
}

/** Validates a bulk enqueue's jobs; an error names the job's index (`job <i>: …`). */
export function toJobValuesList(inputs: EnqueueInput[], now: number): JobValues[] {
  if (!Array.isArray(inputs)) throw new InputError("enqueueMany takes an array of jobs", "jobs");
  return inputs.map((input, i) => {
    try {
      return toJobValues(input, now);
    } catch (error) {
      if (error instanceof InputError) {
        throw new InputError(`job ${i}: ${error.message}`, error.field);
      }
      throw error;
    }
  });
}

/** The task names rows need in the catalog: each task and each hook. */
export function taskNamesOf(rows: readonly JobValues[]): string[] {
  const names = new Set<string>();
  let last: string | undefined;
  for (const r of rows) {
    if (r.task !== last) names.add((last = r.task));
    if (r.hook) names.add(r.hook);
  }
  return [...names];
}

/** Enqueues many jobs in one transaction; all or none. Returns the ids in input order. */
export function enqueueJobs(db: Db, inputs: EnqueueInput[]): number[] {
  const rows = toJobValuesList(inputs, Date.now());
  assertKnownTasks(db, taskNamesOf(rows));
  assertArgsMatchSchemas(db, rows, true);
  return db.$client.transaction(() => insertJobs(db, rows)).immediate();
}
