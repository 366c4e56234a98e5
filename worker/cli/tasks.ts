/** `jobdeck tasks [sync]`: list the task catalog, or sync it from this code's registry. */
import { getStore } from "@/db/store";
import { taskCatalog } from "../tasks/index";
import { CliError, parseCliArgs, type Command } from "./common";

/** ` (args: ms, name?)` for an object schema: the arguments, `?` when optional; else "". */
function argsSummary(schemaText: string | null | undefined): string {
  if (!schemaText) return "";
  const schema = JSON.parse(schemaText) as {
    properties?: Record<string, unknown>;
    required?: string[];
  };
  if (!schema.properties) return " (args: see --json)";
  const required = new Set(schema.required ?? []);
  const names = Object.keys(schema.properties).map((n) => (required.has(n) ? n : `${n}?`));
  return ` (args: ${names.join(", ") || "none"})`;
}

/** The tasks command. */
export const tasksCommand: Command = {
  summary: "list registered tasks (tasks sync: register this code's tasks in the database)",
  help: `Usage: npm run jobdeck -- tasks [list|sync] [--json]

list (default)  the tasks the database accepts at enqueue, with the arguments each expects
                (--json: each task's JSON Schema, argsSchema, which enqueue checks)
sync            register the tasks defined in worker/tasks (workers do this at start)`,
  async run(argv) {
    const { values, positionals } = parseCliArgs(argv, { json: { type: "boolean" } });
    const sub = positionals[0] ?? "list";
    const store = getStore();
    if (sub === "sync") {
      await store.upkeep.syncTaskCatalog(taskCatalog());
    } else if (sub !== "list") {
      throw new CliError(`unknown tasks subcommand "${sub}" (use list or sync)`);
    }
    const tasks = await store.reads.listTasks();
    if (values.json) console.log(JSON.stringify(tasks));
    else
      for (const t of tasks)
        console.log(`${t.name.padEnd(24)} ${t.description ?? ""}${argsSummary(t.argsSchema)}`);
    return 0;
  },
};
