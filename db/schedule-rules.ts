/**
 * Schedule rules, pure (no database): validation of a schedule definition, its fire times and its
 * description in words. Used by db/queries/schedules.ts, the CLI and the dashboard's form preview.
 * Fire-time arithmetic and the DST rule are documented in schedule-times.ts.
 */
import cronstrue from "cronstrue";
import { DateTime, IANAZone } from "luxon";
import { z } from "zod";
import { InputError } from "./errors";
import {
  MAX_NAME_CHARS,
  NUMBER_RANGES,
  rangeProblem,
  textProblem,
  type NumberRange,
} from "./limits";
import { serializeArgs } from "./queries/enqueue";
import { cronProblem } from "./schedule-rules-cron";
import { firstTimeFrom, nextFireTime, type ScheduleTiming } from "./schedule-times";
import { CATCH_UP_POLICIES, SCHEDULE_TYPES } from "./schema";

export { nextFireTime, nextFireTimes, type ScheduleTiming } from "./schedule-times";

const shortText = (field: string) =>
  z
    .string({ error: `${field} must be text` })
    .trim()
    .min(1, `${field} is required`)
    .max(MAX_NAME_CHARS, `${field} is longer than ${MAX_NAME_CHARS} characters`)
    .refine((v) => textProblem(v) === null, {
      error: (i) => `${field} ${textProblem(String(i.input))}`,
    });

/** A number checked against its range in db/limits.ts, the message naming field and range. */
const boundedNumber = (field: string, range: NumberRange) =>
  z.number({ error: `${field} must be a number` }).refine((v) => rangeProblem(v, range) === null, {
    error: (i) => `${field} ${rangeProblem(i.input, range)}, got ${String(i.input)}`,
  });

/**
 * The zod schema of a schedule definition (the form's and the CLI's fields, camelCase). Messages
 * use the form's labels (Name, Arguments, Schedule type, Next run, Missed runs …); the CLI puts
 * the option in front.
 */
export const scheduleInputSchema = z
  .object({
    name: shortText("Name"),
    task: shortText("Task"),
    /** JSON text of the arguments (default "null"). */
    args: z.string({ error: "Arguments must be JSON text" }).default("null"),
    scheduleType: z.enum(SCHEDULE_TYPES, {
      error: `Schedule type must be one of ${SCHEDULE_TYPES.join(", ")}`,
    }),
    minutes: boundedNumber("Minutes", NUMBER_RANGES.scheduleMinutes).nullish(),
    cron: z.string({ error: "Cron must be text" }).trim().nullish(),
    timezone: z
      .string({ error: "Timezone must be text" })
      .trim()
      .default("UTC")
      .refine((tz) => IANAZone.isValidZone(tz), {
        error: (i) =>
          `Unknown timezone "${String(i.input)}"; use an IANA name such as Europe/Berlin`,
      }),
    repeats: boundedNumber("Repeats", NUMBER_RANGES.scheduleRepeats).default(-1),
    nextRunAt: z
      .number({ error: "Next run must be a time" })
      .refine((v) => rangeProblem(v, NUMBER_RANGES.runAt) === null, {
        error: "Next run must be a time between 1970-01-01 and 9999-12-31",
      })
      .nullish(),
    isEnabled: z.boolean({ error: "Enabled must be true or false" }).default(true),
    queue: shortText("Queue").default("default"),
    priority: boundedNumber("Priority", NUMBER_RANGES.priority).default(0),
    catchUp: z
      .enum(CATCH_UP_POLICIES, {
        error: `Missed runs must be one of ${CATCH_UP_POLICIES.join(", ")}`,
      })
      .default("once"),
  })
  .superRefine((v, ctx) => {
    if (v.scheduleType === "minutes" && (v.minutes === undefined || v.minutes === null)) {
      ctx.addIssue({
        code: "custom",
        path: ["minutes"],
        message: "Minutes is required for an every-N-minutes schedule",
      });
    }
    if (v.scheduleType === "cron") {
      const problem = cronProblem(v.cron);
      if (problem) ctx.addIssue({ code: "custom", path: ["cron"], message: problem });
    }
    const argsProblem = jsonArgsProblem(v.args);
    if (argsProblem) ctx.addIssue({ code: "custom", path: ["args"], message: argsProblem });
  });

/** What callers pass to create or update a schedule (optional fields take their defaults). */
export type ScheduleInput = z.input<typeof scheduleInputSchema>;

/** A validated, normalised schedule definition. */
export interface ScheduleDefinition extends Omit<
  z.output<typeof scheduleInputSchema>,
  "minutes" | "cron" | "nextRunAt"
> {
  minutes: number | null;
  cron: string | null;
  nextRunAt: number | null;
}

/** Field name -> first error message. */
export type FieldErrors = Record<string, string>;

function jsonArgsProblem(args: string): string | null {
  let value: unknown;
  try {
    value = JSON.parse(args);
  } catch (error) {
    return `Arguments are not valid JSON: ${(error as Error).message}`;
  }
  try {
    serializeArgs(value);
    return null;
  } catch (error) {
    // serializeArgs speaks of "args" (the library's name); the form calls them Arguments.
    return (error as Error).message.replace(/^args\b/, "Arguments");
  }
}

/** Validates a definition: `{ ok: true, value }` or `{ ok: false, fieldErrors }` (for forms). */
export function validateSchedule(
  input: unknown,
): { ok: true; value: ScheduleDefinition } | { ok: false; fieldErrors: FieldErrors } {
  const parsed = scheduleInputSchema.safeParse(input);
  if (!parsed.success) {
    const fieldErrors: FieldErrors = {};
    for (const issue of parsed.error.issues) {
      const field = String(issue.path[0] ?? "schedule");
      fieldErrors[field] ??= issue.message;
    }
    return { ok: false, fieldErrors };
  }
  const v = parsed.data;
  const args = JSON.stringify(JSON.parse(v.args));
  return {
    ok: true,
    value: {
      ...v,
      args,
      minutes: v.scheduleType === "minutes" ? (v.minutes ?? null) : null,
      cron: v.scheduleType === "cron" ? (v.cron ?? null) : null,
      nextRunAt: v.nextRunAt ?? null,
    },
  };
}

/** Validates a definition or throws InputError naming the first field at fault. */
export function parseSchedule(input: unknown): ScheduleDefinition {
  const result = validateSchedule(input);
  if (result.ok) return result.value;
  const [field, message] = Object.entries(result.fieldErrors)[0] ?? [
    "schedule",
    "invalid schedule",
  ];
  throw new InputError(message, field);
}

const ORDINAL_MONTHS: Record<string, string> = {
  monthly: "every month",
  bimonthly: "every 2 months",
  quarterly: "every 3 months",
};

function describeCalendar(type: string, at: DateTime): string {
  const time = at.toFormat("HH:mm");
  switch (type) {
    case "daily":
      return `At ${time} every day`;
    case "weekly":
      return `At ${time} on ${at.toFormat("cccc")}`;
    case "biweekly":
      return `At ${time} every other ${at.toFormat("cccc")}`;
    case "yearly":
      return `At ${time} on ${at.toFormat("d LLLL")} every year${at.month === 2 && at.day === 29 ? " (28 February in common years)" : ""}`;
    default:
      return `At ${time} on day ${at.day} of ${ORDINAL_MONTHS[type] ?? type}${at.day > 28 ? " (or the month's last day)" : ""}`;
  }
}

function describeRule(
  timing: Omit<ScheduleTiming, "anchorAt"> & { anchorAt?: number | null },
  zone: string,
): string {
  const at =
    timing.anchorAt === undefined || timing.anchorAt === null
      ? null
      : DateTime.fromMillis(timing.anchorAt, { zone });
  switch (timing.scheduleType) {
    case "once":
      return at ? `Once, at ${at.toFormat("yyyy-LL-dd HH:mm")}` : "Once, as soon as saved";
    case "minutes":
      return timing.minutes === 1 ? "Every minute" : `Every ${timing.minutes ?? "?"} minutes`;
    case "hourly":
      return at ? `Every hour at minute ${at.minute}` : "Every hour";
    case "cron":
      return cronstrue.toString(timing.cron ?? "", {
        use24HourTimeFormat: true,
        throwExceptionOnParseError: true,
      });
    default:
      return at
        ? describeCalendar(timing.scheduleType, at)
        : `${timing.scheduleType[0]?.toUpperCase()}${timing.scheduleType.slice(1)}, starting when saved`;
  }
}

/** The rule in words, e.g. "At 08:00 on Monday, Europe/London"; "Invalid schedule: ..." when it can't be read. */
export function describeSchedule(
  timing: Omit<ScheduleTiming, "anchorAt"> & { anchorAt?: number | null },
): string {
  const zone = timing.timezone ?? "UTC";
  try {
    return `${describeRule(timing, zone)}, ${zone}`;
  } catch (error) {
    return `Invalid schedule: ${(error as Error).message}`;
  }
}

/**
 * Where a save starts a schedule's series; plannedRuns turns it into runs. The database side
 * (db/queries/schedules.ts, seriesStart) picks it for saves and for the form's preview alike.
 */
export type SeriesStart =
  /** The user set Next run: the first run is then (for cron: the first match at or after it). */
  | { from: "nextRun"; at: number }
  /** The timing is unchanged: the saved series goes on from its next run. */
  | { from: "saved"; nextRunAt: number }
  /** A new schedule or a changed rule: the first time from now, in phase with `anchorAt`. */
  | { from: "now"; anchorAt: number };

/** A definition's timing, runs left and catch-up: what plannedRuns reads. */
export type PlannedTiming = Omit<ScheduleTiming, "anchorAt"> &
  Pick<ScheduleDefinition, "repeats" | "catchUp">;

function plannedFirst(def: PlannedTiming, start: SeriesStart, now: number): number | null {
  switch (start.from) {
    case "nextRun":
      return nextFireTime({ ...def, anchorAt: start.at }, start.at);
    case "saved":
      return start.nextRunAt;
    case "now":
      return firstTimeFrom({ ...def, anchorAt: start.anchorAt }, now);
  }
}

/**
 * The next `k` runs a save starts, exactly as the scheduler will fire them: the first run (its
 * next_run_at), then, if that is already due, one catch-up run (catchUp "once") or every missed
 * time ("all"), then the series; at most `repeats` runs. Empty when nothing will run.
 */
export function plannedRuns(
  def: PlannedTiming,
  start: SeriesStart,
  now: number,
  k: number,
): number[] {
  const limit = def.repeats < 0 ? k : Math.min(k, def.repeats);
  const first = limit > 0 ? plannedFirst(def, start, now) : null;
  if (first === null) return [];
  // After any save the series is anchored on its first run since the save (scheduleAnchor finds
  // it), so a saved monthly series whose next run is a clamped Feb 28 goes on from the 28th.
  const timing = { ...def, anchorAt: first };
  const runs = [first];
  let from = def.catchUp === "once" ? Math.max(now, first) + 1 : first + 1;
  while (runs.length < limit) {
    const next = nextFireTime(timing, from);
    if (next === null) break;
    runs.push(next);
    from = next + 1;
  }
  return runs;
}

/** What the form shows before saving: the rule in words and the next runs, or the timing errors. */
export type SchedulePreview =
  { ok: true; description: string; nextRuns: number[] } | { ok: false; fieldErrors: FieldErrors };

/** How a new schedule starts: at its Next run if given, else now. */
export function newSeriesStart(def: { nextRunAt: number | null }, now: number): SeriesStart {
  return def.nextRunAt === null
    ? { from: "now", anchorAt: now }
    : { from: "nextRun", at: def.nextRunAt };
}

/**
 * Previews the timing fields of a form (name, task and args are not checked here): the rule in
 * words and the first `k` runs (default 5) that saving it at `now` would schedule (plannedRuns).
 * `startOf` says where the series starts (default: a new schedule's, newSeriesStart).
 */
export function previewSchedule(
  input: Record<string, unknown>,
  now: number,
  k = 5,
  startOf: (def: ScheduleDefinition) => SeriesStart = (def) => newSeriesStart(def, now),
): SchedulePreview {
  const result = validateSchedule({ ...input, name: "preview", task: "preview", args: "null" });
  if (!result.ok) return result;
  const nextRuns = plannedRuns(result.value, startOf(result.value), now, k);
  return {
    ok: true,
    description: describeSchedule({ ...result.value, anchorAt: nextRuns[0] ?? null }),
    nextRuns,
  };
}
