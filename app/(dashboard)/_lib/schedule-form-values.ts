/** Turns a saved schedule into the form's string values (server-side: the timezone math uses luxon). */
import { DateTime } from "luxon";
import { maskSecrets, maskSecretText } from "@/app/_lib/mask-secrets";
import type { ScheduleRow } from "@/db/schema";
import type { ScheduleFormValues } from "@/components/schedules/schedule-form";

/** Every IANA timezone the server knows, for the form's suggestions. */
export function timezoneNames(): string[] {
  try {
    return Intl.supportedValuesOf("timeZone");
  } catch {
    return ["UTC"];
  }
}

/** Stored arguments with their secrets masked, compact as stored. */
function maskArgs(args: string): string {
  try {
    return JSON.stringify(maskSecrets(JSON.parse(args)));
  } catch {
    return maskSecretText(args);
  }
}

/** Defaults of a new schedule. */
export function newScheduleValues(task = "demo.echo"): ScheduleFormValues {
  return {
    name: "",
    task,
    args: "{}",
    scheduleType: "daily",
    minutes: "",
    cron: "",
    timezone: "UTC",
    repeats: "-1",
    nextRunAt: "",
    isEnabled: true,
    queue: "default",
    priority: "0",
    catchUp: "once",
  };
}

/**
 * A saved schedule as form values; Next run in the schedule's own timezone. Secrets in the
 * arguments are masked for every role; saving keeps a value left masked (restoreMaskedSecrets).
 */
export function scheduleToValues(row: ScheduleRow): ScheduleFormValues {
  return {
    id: row.id,
    name: row.name,
    task: row.task,
    args: maskArgs(row.args),
    scheduleType: row.scheduleType,
    minutes: row.minutes === null ? "" : String(row.minutes),
    cron: row.cron ?? "",
    timezone: row.timezone,
    repeats: String(row.repeats),
    nextRunAt:
      row.nextRunAt === null
        ? ""
        : DateTime.fromMillis(row.nextRunAt, { zone: row.timezone }).toFormat("yyyy-LL-dd'T'HH:mm"),
    isEnabled: row.isEnabled,
    queue: row.queue,
    priority: String(row.priority),
    catchUp: row.catchUp,
  };
}
