/**
 * The task catalog: the names the enqueue side accepts, and the JSON Schema each task's arguments
 * must match. Workers (and `npm start`, the CLI) sync it from their registry at start; built-in
 * demo tasks are always there.
 */
import { argsSchemaProblems } from "../args-schema";
import type { Db } from "../client";
import { InputError } from "../errors";

/** A task as the catalog knows it. */
export interface TaskInfo {
  name: string;
  description: string | null;
  exampleArgs: string | null;
  /** JSON Schema (text) of the arguments; null or absent: any JSON is accepted. */
  argsSchema?: string | null;
  isBuiltin: boolean;
}

/** The catalog as this process last read it: each name with its arguments' schema text. */
interface Catalog {
  schemas: Map<string, string | null>;
  loadedAt: number;
}

/**
 * How long a read of the catalog serves: another process (a worker starting with a changed task)
 * may change a schema, and enqueue should follow within this long without a query per job.
 */
export const CATALOG_MAX_AGE_MS = 2_000;

const known = new WeakMap<object, Catalog>();

function loadCatalog(db: Db): Catalog {
  const rows = db.$client.prepare(`SELECT name, args_schema FROM tasks`).raw().all() as [
    string,
    string | null,
  ][];
  const catalog = { schemas: new Map(rows), loadedAt: Date.now() };
  known.set(db.$client, catalog);
  return catalog;
}

function currentCatalog(db: Db): Catalog {
  const catalog = known.get(db.$client);
  if (catalog && Date.now() - catalog.loadedAt < CATALOG_MAX_AGE_MS) return catalog;
  return loadCatalog(db);
}

/** Throws InputError (field "task") unless every name is in the catalog. Cached; refreshed on a miss. */
export function assertKnownTasks(db: Db, names: string[]): void {
  const { schemas } = currentCatalog(db);
  if (names.every((n) => schemas.has(n))) return;
  assertNamesInCatalog(loadCatalog(db).schemas, names);
}

/** Throws InputError (field "task") naming the first of `names` not in `catalog` (pure; both dialects). */
export function assertNamesInCatalog(catalog: ReadonlyMap<string, unknown>, names: string[]): void {
  const unknown = names.find((n) => !catalog.has(n));
  if (unknown === undefined) return;
  const list = [...catalog.keys()].sort().join(", ") || "none";
  throw new InputError(
    `Unknown task "${unknown}". Registered tasks: ${list}. A task is registered when a worker whose ` +
      `registry (worker/tasks) defines it starts, or by \`npm run jobdeck -- tasks sync\`.`,
    "task",
  );
}

/**
 * Throws InputError (field "args") when a job's arguments (as stored: JSON text) do not match its
 * task's schema, naming each argument at fault. Tasks without a schema accept any JSON. With
 * `numbered`, messages start with `job <index>:` (bulk enqueue). Call after assertKnownTasks.
 */
export function assertArgsMatchSchemas(
  db: Db,
  jobs: readonly { task: string; args: string }[],
  numbered = false,
): void {
  assertArgsMatchCatalog(currentCatalog(db).schemas, jobs, numbered);
}

/** assertArgsMatchSchemas against a catalog already read (pure; both dialects). */
export function assertArgsMatchCatalog(
  schemas: ReadonlyMap<string, string | null>,
  jobs: readonly { task: string; args: string }[],
  numbered = false,
): void {
  jobs.forEach((job, i) => {
    const schema = schemas.get(job.task);
    if (!schema) return;
    const problems = argsSchemaProblems(schema, JSON.parse(job.args));
    if (problems.length === 0) return;
    const prefix = numbered ? `job ${i}: ` : "";
    throw new InputError(`${prefix}${problems.join("; ")} (task ${job.task})`, "args");
  });
}

/** Upserts the registry's tasks into the catalog (in one IMMEDIATE transaction). */
export function syncTaskCatalog(db: Db, tasks: TaskInfo[]): void {
  const now = Date.now();
  const upsert = db.$client.prepare(
    `INSERT INTO tasks (name, description, example_args, args_schema, is_builtin, updated_at)
     VALUES (@name, @description, @exampleArgs, @argsSchema, @isBuiltin, @now)
     ON CONFLICT (name) DO UPDATE SET description = excluded.description,
       example_args = excluded.example_args, args_schema = excluded.args_schema,
       is_builtin = excluded.is_builtin, updated_at = excluded.updated_at`,
  );
  db.$client
    .transaction(() => {
      for (const t of tasks)
        upsert.run({ ...t, argsSchema: t.argsSchema ?? null, isBuiltin: t.isBuiltin ? 1 : 0, now });
    })
    .immediate();
  loadCatalog(db);
}

/** Every catalogued task, by name. */
export function listTasks(db: Db): TaskInfo[] {
  const rows = db.$client
    .prepare(
      `SELECT name, description, example_args AS exampleArgs, args_schema AS argsSchema,
         is_builtin AS isBuiltin FROM tasks ORDER BY name`,
    )
    .all() as (Omit<TaskInfo, "isBuiltin"> & { isBuiltin: number })[];
  return rows.map((r) => ({ ...r, isBuiltin: r.isBuiltin === 1 }));
}
