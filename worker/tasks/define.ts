/**
 * How a task is written: a stable dotted name, a handler, and optionally a zod schema for its
 * arguments. The schema is checked before the handler runs, and published to the task catalog as
 * JSON Schema so that every enqueue door refuses arguments it would refuse (see db/args-schema.ts).
 */
import { z } from "zod";

/** What a handler receives besides its arguments. */
export interface TaskContext {
  /** The job's id. */
  jobId: number;
  /** This run's number, 1 for the first. */
  attempt: number;
  /** Fires when the job is cancelled, times out or the worker shuts down; stop soon after. */
  signal: AbortSignal;
  /** Reports progress, 0..1, with an optional message; the dashboard shows it live. */
  progress(fraction: number, message?: string): void;
}

/** A registered task. */
export interface TaskDefinition<Args = unknown, Result = unknown> {
  /** Stable dotted name (`emails.welcome`); it is data, never rename it lightly. */
  name: string;
  /** One line for the dashboard and `jobdeck tasks`. */
  description?: string;
  /** Example arguments, prefilled in the dashboard's enqueue form. */
  exampleArgs?: unknown;
  /** Arguments schema; when present, arguments are parsed with it before `run`. */
  schema?: z.ZodType<Args>;
  /** The handler. Handlers should be idempotent: a job may run more than once (at-least-once). */
  run(args: Args, ctx: TaskContext): Promise<Result> | Result;
}

/** Declares a task (identity function that keeps the types). */
export function defineTask<Args, Result>(
  definition: TaskDefinition<Args, Result>,
): TaskDefinition<Args, Result> {
  if (!/^[a-z][a-z0-9_-]*(\.[a-z0-9_-]+)+$/i.test(definition.name)) {
    throw new Error(`Task name "${definition.name}" must be dotted, like "emails.welcome"`);
  }
  return definition;
}

/**
 * The JSON Schema (draft 2020-12, as JSON text) of the arguments a task accepts: the input side of
 * its zod schema. Null when the task has none. Parts JSON Schema cannot express (a transform, a
 * refine) accept anything here and are still checked by zod when the job runs.
 */
export function argsJsonSchema(definition: TaskDefinition<never, unknown>): string | null {
  if (!definition.schema) return null;
  try {
    return JSON.stringify(
      z.toJSONSchema(definition.schema, { io: "input", unrepresentable: "any", cycles: "ref" }),
    );
  } catch (error) {
    // A schema zod cannot convert is still enforced by the worker; only the early check is lost.
    console.warn(`task ${definition.name}: its schema has no JSON Schema form:`, error);
    return null;
  }
}
