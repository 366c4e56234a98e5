/**
 * The enqueue side of the library: validate, then insert into the live queue.
 * Unknown task names are refused: the `tasks` table is the allowlist (see tasks.ts).
 */
import type { Db } from "../client";
import { InputError } from "../errors";
import { MAX_ARGS_BYTES, MAX_NAME_CHARS } from "../limits";
import { assertKnownTasks } from "./tasks";

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

function checkName(value: string | undefined, field: string): string | null {
  if (value === undefined || value === null) return null;
  if (typeof value !== "string" || value.trim() === "") {
    throw new InputError(`${field} must be a non-empty string`, field);
  }
  if (value.length > MAX_NAME_CHARS) {
    throw new InputError(`${field} is longer than ${MAX_NAME_CHARS} characters`, field);
  }
  return value;
}

function checkNumber(
  value: number | undefined,
  field: string,
  { min, integer }: { min: number; integer: boolean },
): number | null {
  if (value === undefined || value === null) return null;
  if (
    typeof value !== "number" ||
    !Number.isFinite(value) ||
    (integer && !Number.isInteger(value))
  ) {
    throw new InputError(`${field} must be a ${integer ? "whole " : ""}number`, field);
  }
  if (value < min) throw new InputError(`${field} must be at least ${min}`, field);
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

/** Serialises and checks job arguments: JSON only, at most MAX_ARGS_BYTES, no prototype keys. */
export function serializeArgs(args: unknown): string {
  if (args === undefined) return "null";
  checkKeys(args);
  let json: string | undefined;
  try {
    json = JSON.stringify(args);
  } catch (error) {
    throw new InputError(`args are not JSON-serialisable: ${(error as Error).message}`, "args");
  }
  if (json === undefined) throw new InputError("args are not JSON-serialisable", "args");
  const bytes = Buffer.byteLength(json);
  if (bytes > MAX_ARGS_BYTES) {
    throw new InputError(`args are ${bytes} bytes; the limit is ${MAX_ARGS_BYTES}`, "args");
  }
  return json;
}

/** A validated row ready for insertion (snake_case keys match the INSERT's parameters). */
interface JobValues {
  name: string | null;
  task: string;
  args: string;
  queue: string;
  priority: number;
  group_name: string | null;
  unique_key: string | null;
  run_at: number;
  created_at: number;
  max_attempts: number;
  timeout_ms: number | null;
  hook: string | null;
  retry_of: number | null;
  schedule_id: number | null;
}

/** Validates one job's input; throws InputError naming the field at fault. */
export function toJobValues(input: EnqueueInput, now: number): JobValues {
  const o = input.options ?? {};
  const task = checkName(input.task, "task");
  if (task === null) throw new InputError("task is required", "task");
  const delay = checkNumber(o.delay, "delay", { min: 0, integer: false }) ?? 0;
  let runAt = now + Math.round(delay * 1000);
  if (o.runAt !== undefined) {
    const at = o.runAt instanceof Date ? o.runAt.getTime() : o.runAt;
    if (typeof at !== "number" || !Number.isFinite(at))
      throw new InputError("runAt must be a date", "runAt");
    runAt = Math.round(at);
  }
  const timeout = checkNumber(o.timeout, "timeout", { min: 0.001, integer: false });
  return {
    name: checkName(o.name, "name"),
    task,
    args: serializeArgs(input.args),
    queue: checkName(o.queue, "queue") ?? "default",
    priority: checkNumber(o.priority, "priority", { min: -1_000_000, integer: true }) ?? 0,
    group_name: checkName(o.group, "group"),
    unique_key: checkName(o.uniqueKey, "uniqueKey"),
    run_at: runAt,
    created_at: now,
    max_attempts:
      checkNumber(o.maxAttempts, "maxAttempts", { min: 1, integer: true }) ?? DEFAULT_MAX_ATTEMPTS,
    timeout_ms: timeout === null ? null : Math.round(timeout * 1000),
    hook: checkName(o.hook, "hook"),
    retry_of: o.retryOf ?? null,
    schedule_id: o.scheduleId ?? null,
  };
}

const INSERT_SQL = `INSERT INTO jobs (name, task, args, queue, priority, state, group_name, unique_key,
  run_at, created_at, attempts, max_attempts, timeout_ms, hook, retry_of, schedule_id)
  VALUES (@name, @task, @args, @queue, @priority, 'queued', @group_name, @unique_key,
  @run_at, @created_at, 0, @max_attempts, @timeout_ms, @hook, @retry_of, @schedule_id)
  ON CONFLICT (unique_key) WHERE unique_key IS NOT NULL DO NOTHING`;

const statements = new WeakMap<object, ReturnType<typeof prepare>>();

function prepare(db: Db) {
  const sqlite = db.$client;
  return {
    insert: sqlite.prepare(INSERT_SQL),
    byUniqueKey: sqlite.prepare(`SELECT id FROM jobs WHERE unique_key = ?`).pluck(),
  };
}

function stmts(db: Db) {
  let s = statements.get(db.$client);
  if (!s) {
    s = prepare(db);
    statements.set(db.$client, s);
  }
  return s;
}

/** Inserts validated rows (inside the caller's transaction, if any); returns their ids in order. */
export function insertJobs(db: Db, rows: JobValues[]): number[] {
  const s = stmts(db);
  const ids: number[] = [];
  for (const row of rows) {
    const info = s.insert.run(row);
    if (info.changes === 1) ids.push(Number(info.lastInsertRowid));
    else ids.push(s.byUniqueKey.get(row.unique_key) as number);
  }
  return ids;
}

/** Enqueues one job of a registered task; returns its id (or the live job's with the same uniqueKey). */
export function enqueueJob(db: Db, task: string, args?: unknown, options?: EnqueueOptions): number {
  const row = toJobValues({ task, args, options }, Date.now());
  assertKnownTasks(db, [row.task, ...(row.hook ? [row.hook] : [])]);
  return insertJobs(db, [row])[0]!;
}

/** Enqueues many jobs in one transaction; all or none. Returns the ids in input order. */
export function enqueueJobs(db: Db, inputs: EnqueueInput[]): number[] {
  const now = Date.now();
  const rows = inputs.map((input, i) => {
    try {
      return toJobValues(input, now);
    } catch (error) {
      if (error instanceof InputError) {
        throw new InputError(`job ${i}: ${error.message}`, error.field);
      }
      throw error;
    }
  });
  const names = new Set<string>();
  for (const r of rows) {
    names.add(r.task);
    if (r.hook) names.add(r.hook);
  }
  assertKnownTasks(db, [...names]);
  return db.$client.transaction(() => insertJobs(db, rows)).immediate();
}
