/**
 * The task catalog: the names the enqueue side accepts. Workers (and `npm start`, the CLI) sync it
 * from their registry at start; built-in demo tasks are always there.
 */
import type { Db } from "../client";
import { InputError } from "../errors";

/** A task as the catalog knows it. */
export interface TaskInfo {
  name: string;
  description: string | null;
  exampleArgs: string | null;
  isBuiltin: boolean;
}

const known = new WeakMap<object, Set<string>>();

function loadNames(db: Db): Set<string> {
  const names = new Set(db.$client.prepare(`SELECT name FROM tasks`).pluck().all() as string[]);
  known.set(db.$client, names);
  return names;
}

/** Throws InputError (field "task") unless every name is in the catalog. Cached; refreshed on a miss. */
export function assertKnownTasks(db: Db, names: string[]): void {
  let set = known.get(db.$client) ?? loadNames(db);
  if (names.every((n) => set.has(n))) return;
  set = loadNames(db);
  const unknown = names.find((n) => !set.has(n));
  if (unknown === undefined) return;
  const list = [...set].sort().join(", ") || "none";
  throw new InputError(
    `Unknown task "${unknown}". Registered tasks: ${list}. A task is registered when a worker whose ` +
      `registry (worker/tasks) defines it starts, or by \`npm run jobdeck -- tasks sync\`.`,
    "task",
  );
}

/** Upserts the registry's tasks into the catalog (in one IMMEDIATE transaction). */
export function syncTaskCatalog(db: Db, tasks: TaskInfo[]): void {
  const now = Date.now();
  const upsert = db.$client.prepare(
    `INSERT INTO tasks (name, description, example_args, is_builtin, updated_at)
     VALUES (@name, @description, @exampleArgs, @isBuiltin, @now)
     ON CONFLICT (name) DO UPDATE SET description = excluded.description,
       example_args = excluded.example_args, is_builtin = excluded.is_builtin, updated_at = excluded.updated_at`,
  );
  db.$client
    .transaction(() => {
      for (const t of tasks) upsert.run({ ...t, isBuiltin: t.isBuiltin ? 1 : 0, now });
    })
    .immediate();
  loadNames(db);
}

/** Every catalogued task, by name. */
export function listTasks(db: Db): TaskInfo[] {
  const rows = db.$client
    .prepare(
      `SELECT name, description, example_args AS exampleArgs, is_builtin AS isBuiltin FROM tasks ORDER BY name`,
    )
    .all() as (Omit<TaskInfo, "isBuiltin"> & { isBuiltin: number })[];
  return rows.map((r) => ({ ...r, isBuiltin: r.isBuiltin === 1 }));
}
