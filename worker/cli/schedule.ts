/** `jobdeck schedule add|list|update|enable|disable|run|delete`: periodic schedules from the shell. */
import { DateTime } from "luxon";
import { InputError } from "@/db/errors";
import type { SchedulePatch } from "@/db/queries/schedules";
import { describeSchedule } from "@/db/schedule-rules";
import { getStore } from "@/db/store";
import type { AdminActor } from "@/db/store/admin";
import type { ScheduleView } from "@/db/store/reads";
import { CliError, decimalOption, isoTime, parseCliArgs, type Command } from "./common";

const DEFINITION_OPTIONS = {
  name: { type: "string" },
  task: { type: "string" },
  args: { type: "string" },
  type: { type: "string" },
  minutes: { type: "string" },
  cron: { type: "string" },
  timezone: { type: "string" },
  repeats: { type: "string" },
  "next-run": { type: "string" },
  queue: { type: "string" },
  priority: { type: "string" },
  "catch-up": { type: "string" },
  disabled: { type: "boolean" },
} as const;

/** Input field -> the CLI option that sets it, so errors name what the user typed. */
const OPTION_OF: Record<string, string> = {
  scheduleType: "type",
  nextRunAt: "next-run",
  catchUp: "catch-up",
  isEnabled: "disabled",
};

const HELP = `Usage: npm run jobdeck -- schedule <subcommand> [options]

  add --name NAME --task TASK --type TYPE [options]   create a schedule
  list [--json]                                       schedules with rule, next and last run
  update <id|name> [options]                          change some fields (others keep their value)
  enable <id|name> | disable <id|name>                turn a schedule on or off
  run <id|name>                                       enqueue one job now (next run unchanged)
  delete <id|name>                                    delete a schedule (its jobs stay)

Options of add and update:
  --task TASK          a registered task name (npm run jobdeck -- tasks)
  --args JSON          JSON arguments (default null)
  --type TYPE          once, minutes, hourly, daily, weekly, biweekly, monthly, bimonthly,
                       quarterly, yearly or cron
  --minutes N          every N minutes (type minutes; N >= 1)
  --cron EXPR          5-field cron expression (type cron), e.g. "0 8 * * 1"
  --timezone TZ        IANA timezone (default UTC), e.g. Europe/Berlin
  --repeats N          runs left; -1 = forever (default)
  --next-run WHEN      first run: ISO date-time (read in --timezone unless it has an offset) or
                       epoch milliseconds; default now (cron: the first match from now). On
                       update, without it the next run stays, or a changed rule starts from now
  --queue Q            queue of the jobs (default "default")
  --priority N         priority of the jobs (default 0)
  --catch-up POLICY    once (default: one run after downtime) or all (every missed run)
  --disabled           save it disabled

Examples:
  npm run jobdeck -- schedule add --name "Daily digest" --task demo.echo --args '{"digest":"daily"}' \\
    --type daily --next-run 2026-01-06T08:00 --timezone Europe/London
  npm run jobdeck -- schedule add --name report --task demo.noop --type cron --cron "0 8 * * 1"
  npm run jobdeck -- schedule list --json

Bad input exits 2 with a message naming the option; nothing is saved.`;

function numberField(value: string | undefined, option: string): number | undefined {
  if (value === undefined) return undefined;
  return decimalOption(value, option);
}

function timeField(value: string | undefined, timezone: string | undefined): number | undefined {
  if (value === undefined) return undefined;
  if (/^\d+$/.test(value.trim())) return Number(value);
  const at = DateTime.fromISO(value, { zone: timezone ?? "UTC", setZone: true });
  if (!at.isValid)
    throw new CliError(`--next-run must be an ISO date-time or epoch milliseconds, got "${value}"`);
  return at.toMillis();
}

type Values = {
  [K in keyof typeof DEFINITION_OPTIONS]?: (typeof DEFINITION_OPTIONS)[K]["type"] extends "boolean"
    ? boolean
    : string;
};

function toPatch(v: Values): SchedulePatch {
  const patch: SchedulePatch = {
    name: v.name,
    task: v.task,
    args: v.args,
    scheduleType: v.type as SchedulePatch["scheduleType"],
    minutes: numberField(v.minutes, "minutes"),
    cron: v.cron,
    timezone: v.timezone,
    repeats: numberField(v.repeats, "repeats"),
    nextRunAt: timeField(v["next-run"], v.timezone),
    queue: v.queue,
    priority: numberField(v.priority, "priority"),
    catchUp: v["catch-up"] as SchedulePatch["catchUp"],
    isEnabled: v.disabled ? false : undefined,
  };
  return Object.fromEntries(
    Object.entries(patch).filter(([, value]) => value !== undefined),
  ) as SchedulePatch;
}

/** Awaits `fn`, turning an InputError into a CliError that names the CLI option. */
async function asCli<T>(fn: () => Promise<T>): Promise<T> {
  try {
    return await fn();
  } catch (error) {
    if (!(error instanceof InputError)) throw error;
    const option = error.field ? (OPTION_OF[error.field] ?? error.field) : undefined;
    throw new CliError(option ? `--${option}: ${error.message}` : error.message);
  }
}

async function resolve(ref: string | undefined, sub: string): Promise<ScheduleView> {
  if (ref === undefined) throw new CliError(`schedule ${sub} needs a schedule id or name`);
  const found = await getStore().reads.getSchedule(/^\d+$/.test(ref) ? Number(ref) : ref);
  if (!found)
    throw new CliError(`No schedule "${ref}" (give an id or a name from \`schedule list\`)`);
  return found;
}

const iso = isoTime;

function printList(rows: ScheduleView[], json: boolean): void {
  const withRule = rows.map((s) => ({
    ...s,
    rule: describeSchedule({ ...s, anchorAt: s.nextRunAt }),
  }));
  if (json) {
    console.log(JSON.stringify(withRule));
    return;
  }
  for (const s of withRule) {
    const last = s.lastRun
      ? `job ${s.lastRun.jobId} ${s.lastRun.outcome} at ${iso(s.lastRun.at)}`
      : "never";
    const state = s.isEnabled ? "enabled" : "disabled";
    console.log(
      `${s.id}  ${s.name}  [${s.task}, ${state}]  ${s.rule}\n    next ${iso(s.nextRunAt)}  last ${last}  repeats ${s.repeats}`,
    );
  }
  if (withRule.length === 0) console.log("No schedules.");
}

async function allSchedules(): Promise<ScheduleView[]> {
  const out: ScheduleView[] = [];
  for (;;) {
    const page = await getStore().reads.listSchedules({ afterId: out.at(-1)?.id ?? 0, limit: 500 });
    out.push(...page);
    if (page.length < 500) return out;
  }
}

/** Who the CLI's changes are recorded as in the audit log, as the other CLI commands do. */
function cliActor(): AdminActor {
  return { name: `cli:${process.env.USER ?? process.env.USERNAME ?? "unknown"}`, address: null };
}

async function add(rest: string[]): Promise<number> {
  const patch = toPatch(parseCliArgs(rest, DEFINITION_OPTIONS, false).values);
  const input = {
    ...patch,
    name: patch.name ?? "",
    task: patch.task ?? "",
    scheduleType: patch.scheduleType!,
  };
  const { row: s } = await asCli(() =>
    getStore().admin.saveSchedule({ id: null, input }, cliActor()),
  );
  console.log(`Created schedule ${s.id} "${s.name}"; next run ${iso(s.nextRunAt)}`);
  return 0;
}

async function update(rest: string[]): Promise<number> {
  const { values, positionals } = parseCliArgs(rest, DEFINITION_OPTIONS);
  const target = await resolve(positionals[0], "update");
  const patch = toPatch(values);
  const { row: s } = await asCli(() =>
    getStore().admin.saveSchedule({ id: target.id, input: patch }, cliActor()),
  );
  console.log(`Updated schedule ${s.id} "${s.name}"; next run ${iso(s.nextRunAt)}`);
  return 0;
}

async function toggle(rest: string[], sub: "enable" | "disable"): Promise<number> {
  const target = await resolve(parseCliArgs(rest, {}).positionals[0], sub);
  const s = await asCli(() =>
    getStore().admin.setScheduleEnabled({ id: target.id, isEnabled: sub === "enable" }, cliActor()),
  );
  console.log(
    `Schedule ${s.id} "${s.name}" ${sub}d; next run ${iso(s.isEnabled ? s.nextRunAt : null)}`,
  );
  return 0;
}

async function runNow(rest: string[]): Promise<number> {
  const target = await resolve(parseCliArgs(rest, {}).positionals[0], "run");
  const jobId = await asCli(() => getStore().admin.runScheduleNow({ id: target.id }, cliActor()));
  console.log(jobId);
  return 0;
}

async function remove(rest: string[]): Promise<number> {
  const target = await resolve(parseCliArgs(rest, {}).positionals[0], "delete");
  await asCli(() => getStore().admin.deleteSchedule({ id: target.id }, cliActor()));
  console.log(`Deleted schedule ${target.id} "${target.name}"`);
  return 0;
}

async function list(rest: string[]): Promise<number> {
  const { values } = parseCliArgs(rest, { json: { type: "boolean" } }, false);
  printList(await allSchedules(), values.json === true);
  return 0;
}

async function run(argv: string[]): Promise<number> {
  const [sub, ...rest] = argv;
  switch (sub) {
    case "add":
      return add(rest);
    case "update":
      return update(rest);
    case "list":
      return list(rest);
    case "enable":
    case "disable":
      return toggle(rest, sub);
    case "run":
      return runNow(rest);
    case "delete":
      return remove(rest);
    default:
      throw new CliError(`Unknown schedule subcommand "${sub ?? ""}".\n\n${HELP}`);
  }
}

/** The schedule command group. */
export const scheduleCommand: Command = {
  summary: "add, list, update, enable, disable, run or delete periodic schedules",
  help: HELP,
  run,
};
