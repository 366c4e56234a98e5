/** `jobdeck enqueue <task>`: enqueue one job (or N copies) and print the ids. */
import { NUMBER_RANGES } from "@/db/limits";
import type { EnqueueOptions } from "@/db/queries/enqueue";
import { getStore } from "@/db/store";
import { CliError, jsonOption, numberOption, parseCliArgs, type Command } from "./common";

const HELP = `Usage: npm run jobdeck -- enqueue <task> [options]

Enqueues a job of a registered task and prints its id (one per line).

Options:
  --args JSON          arguments, as JSON (default null)
  --queue Q            queue name (default "default")
  --priority N         higher runs first (default 0)
  --delay SECONDS      wait before running (default 0)
  --group G            group name
  --timeout SECONDS    job timeout (default: the worker's --timeout)
  --max-attempts N     runs before failing for good (default 3)
  --unique-key K       no second job with this key while one is queued or running
  --name NAME          a readable name for the dashboard
  --count N            enqueue N copies in one transaction and print only the count`;

/** The enqueue command. */
export const enqueueCommand: Command = {
  summary:
    "enqueue a job: enqueue <task> [--args JSON] [--queue Q] [--priority N] [--delay S] [--count N] …",
  help: HELP,
  async run(argv) {
    const { values, positionals } = parseCliArgs(argv, {
      args: { type: "string" },
      queue: { type: "string" },
      priority: { type: "string" },
      delay: { type: "string" },
      group: { type: "string" },
      timeout: { type: "string" },
      "max-attempts": { type: "string" },
      "unique-key": { type: "string" },
      name: { type: "string" },
      count: { type: "string" },
    });
    const [task, ...extra] = positionals;
    if (!task)
      throw new CliError(`enqueue needs a task name, e.g. \`enqueue demo.echo --args '{"hi":1}'\``);
    if (extra.length > 0)
      throw new CliError(`unexpected argument "${extra[0]}" (put JSON arguments after --args)`);
    const args = jsonOption(values.args, "args");
    const count = numberOption(values.count, "count", NUMBER_RANGES.count) ?? 1;
    const options: EnqueueOptions = {
      queue: values.queue,
      priority: numberOption(values.priority, "priority", NUMBER_RANGES.priority),
      delay: numberOption(values.delay, "delay", NUMBER_RANGES.delay),
      group: values.group,
      timeout: numberOption(values.timeout, "timeout", NUMBER_RANGES.timeout),
      maxAttempts: numberOption(values["max-attempts"], "max-attempts", NUMBER_RANGES.maxAttempts),
      uniqueKey: values["unique-key"],
      name: values.name,
    };
    for (const key of Object.keys(options) as (keyof EnqueueOptions)[]) {
      if (options[key] === undefined) delete options[key];
    }
    if (count > 1 && options.uniqueKey)
      throw new CliError("--count and --unique-key cannot be used together");
    const ids = await getStore().library.enqueueMany(
      Array.from({ length: count }, () => ({ task, args, options })),
    );
    if (values.count !== undefined) console.log(String(ids.length));
    else console.log(ids.join("\n"));
    return 0;
  },
};
