/**
 * The task registry: name -> definition. It is the allowlist: only these can run, and the worker
 * syncs their names into the database's catalog so that enqueue refuses anything else.
 * Add your own tasks here (one file per task).
 */
import type { TaskInfo } from "@/db/queries/tasks";
import { argsJsonSchema, type TaskDefinition } from "./define";
import demoCpu from "./demo-cpu";
import demoEcho from "./demo-echo";
import demoFail from "./demo-fail";
import demoFlaky from "./demo-flaky";
import demoNoop from "./demo-noop";
import demoSleep from "./demo-sleep";
import jobdeckPrune from "./jobdeck-prune";
import testTrace from "./test-trace";

const BUILTIN = [demoEcho, demoSleep, demoFail, demoFlaky, demoCpu, demoNoop, jobdeckPrune];

// Your application's tasks:
const APP: TaskDefinition<never, unknown>[] = [];

// Tasks for Jobdeck's own crash and concurrency tests, registered only when JOBDECK_TEST_TASKS=1.
const TESTING = process.env.JOBDECK_TEST_TASKS === "1" ? [testTrace] : [];

function buildRegistry(list: TaskDefinition<never, unknown>[]) {
  const map = new Map<string, TaskDefinition<never, unknown>>();
  for (const t of list) {
    if (map.has(t.name)) throw new Error(`Task "${t.name}" is registered twice`);
    map.set(t.name, t);
  }
  return map;
}

/** Every registered task by name. */
export const registry: ReadonlyMap<string, TaskDefinition<never, unknown>> = buildRegistry([
  ...(BUILTIN as TaskDefinition<never, unknown>[]),
  ...APP,
  ...(TESTING as TaskDefinition<never, unknown>[]),
]);

const builtinNames = new Set(BUILTIN.map((t) => t.name));

/** The registry as catalog rows for syncTaskCatalog. */
export function taskCatalog(): TaskInfo[] {
  return [...registry.values()].map((t) => ({
    name: t.name,
    description: t.description ?? null,
    exampleArgs: t.exampleArgs === undefined ? null : JSON.stringify(t.exampleArgs),
    argsSchema: argsJsonSchema(t),
    isBuiltin: builtinNames.has(t.name),
  }));
}
