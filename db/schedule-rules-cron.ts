/**
 * Cron expressions as the schedule form and the CLI check them: croner parses (schedule-times.ts);
 * this module words the mistakes in the form's terms (the field, the value typed, the allowed
 * range), because croner's own messages name internal fields and off-by-one bounds ("Invalid
 * value for day: 31" for a typed 32), and it refuses an expression that can never fire.
 */
import { parseCron } from "./schedule-times";

interface CronField {
  label: string;
  min: number;
  max: number;
  range: string;
}

/** The five fields in order, with the bounds croner accepts (day of week 7 is Sunday, as 0). */
const CRON_FIELDS: readonly CronField[] = [
  { label: "minute", min: 0, max: 59, range: "0-59" },
  { label: "hour", min: 0, max: 23, range: "0-23" },
  { label: "day of month", min: 1, max: 31, range: "1-31" },
  { label: "month", min: 1, max: 12, range: "1-12 or jan-dec" },
  { label: "day of week", min: 0, max: 7, range: "0-7 (0 and 7 are Sunday) or sun-sat" },
];

const EXAMPLE = 'e.g. "0 8 * * 1" (08:00 every Monday)';

/** One comma-separated item: `*`, `?`, `a`, `a-b`, each optionally `/step`. */
const ITEM = /^(?:\*|\?|([^-/]+)(?:-([^-/]+))?)(?:\/(.*))?$/;

function fieldProblem(field: CronField, text: string): string | null {
  for (const item of text.split(",")) {
    const m = ITEM.exec(item);
    if (!m) continue; // croner words the rest (L, W, #): see cronProblem
    const [, from, to, step] = m;
    for (const value of [from, to]) {
      if (value === undefined || !/^\d+$/.test(value)) continue;
      const n = Number(value);
      if (n < field.min || n > field.max)
        return `Cron ${field.label} "${value}" is out of range: allowed ${field.range}`;
    }
    if (step !== undefined && !/^[1-9]\d*$/.test(step))
      return `Cron ${field.label} step "/${step}" must be a whole number of at least 1`;
    if (from !== undefined && to !== undefined && /^\d+$/.test(from) && /^\d+$/.test(to)) {
      if (Number(from) > Number(to))
        return `Cron ${field.label} range "${from}-${to}" runs backwards: write the smaller value first`;
    }
  }
  return null;
}

/** croner's message for what our checks let through, with its internal wording replaced. */
function cronerProblem(cron: string, fields: string[], message: string): string {
  const text = message.replace(/^CronPattern:\s*/, "");
  const entry = /configuration entry (\d+)/.exec(text);
  const field = entry ? CRON_FIELDS[Number(entry[1]) - 1] : undefined;
  if (field)
    return `Cron ${field.label} "${fields[Number(entry![1]) - 1]}" is not valid: use numbers in ${field.range}, *, ranges (1-5), lists (1,3) or steps (*/15)`;
  return `Cron "${cron}" is not valid: ${text}`;
}

/** What is wrong with a cron expression in the form's words, or null when it is valid and fires. */
export function cronProblem(cron: string | null | undefined): string | null {
  if (!cron) return `Cron is required for a cron schedule: 5 fields, ${EXAMPLE}`;
  const fields = cron.trim().split(/\s+/);
  if (fields.length !== 5)
    return `Cron needs 5 fields (minute hour day-of-month month day-of-week), got ${fields.length}: ${EXAMPLE}`;
  for (const [i, field] of CRON_FIELDS.entries()) {
    const problem = fieldProblem(field, fields[i]!);
    if (problem) return problem;
  }
  let job;
  try {
    job = parseCron(cron);
  } catch (error) {
    return cronerProblem(cron, fields, (error as Error).message);
  }
  // croner looks years ahead (29 February is found); null means no date matches at all.
  if (job.nextRun() === null)
    return `Cron "${cron}" never runs: no month has that day; check day of month and month`;
  return null;
}
