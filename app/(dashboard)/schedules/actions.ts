"use server";
/**
 * Server actions of the Schedules pages: save (create or update) with field errors, preview the
 * rule and next runs, enable/disable, run now, delete. Writes check the admin session and origin,
 * and each is one audited store call.
 */
import { DateTime } from "luxon";
import { revalidatePath } from "next/cache";
import { z } from "zod";
import { AuthError, requireUserAction } from "@/app/_lib/auth";
import { formActor, requireAdminActor } from "@/app/(dashboard)/_lib/admin-actor";
import { refusedForm, type ActionResult } from "@/app/(dashboard)/_lib/action-result";
import { InputError } from "@/db/errors";
import { parseDecimal } from "@/db/limits";
import { getStore } from "@/db/store";
import type { AdminActor } from "@/db/store/admin";
import { previewSchedule, validateSchedule, type ScheduleInput } from "@/db/schedule-rules";

/** What the form gets back from saving. */
export type ScheduleFormState = ActionResult & {
  id?: number;
  /** The submitted fields, when the save was refused (the form shows them again). */
  values?: Record<string, string>;
};

/** What the preview shows: the rule in words and the next runs (ms), or the timing errors. */
export type PreviewResult =
  | { ok: true; description: string; nextRuns: number[] }
  | { ok: false; fieldErrors: Record<string, string> };

function text(form: FormData, key: string): string {
  const value = form.get(key);
  return typeof value === "string" ? value : "";
}

function optionalNumber(raw: string): number | null {
  return raw.trim() === "" ? null : parseDecimal(raw.trim());
}

/** The schedule id of an edit form; null for a new schedule, "invalid" for a bad id. */
function formId(form: FormData): number | null | "invalid" {
  const idRaw = text(form, "id");
  if (idRaw === "") return null;
  const parsed = z.coerce.number().int().positive().safeParse(idRaw);
  return parsed.success ? parsed.data : "invalid";
}

/**
 * Reads the form's fields into a schedule definition; the Next run is wall time in the schedule's
 * timezone. When editing, an untouched Next run is left out (the field only shows minutes): the
 * save then keeps the series, or starts a changed rule from now (seriesStart).
 */
function formToInput(
  form: FormData,
  isEdit: boolean,
): { input: ScheduleInput; errors: Record<string, string> } {
  const errors: Record<string, string> = {};
  const timezone = text(form, "timezone").trim() || "UTC";
  const nextRunRaw = text(form, "nextRunAt").trim();
  let nextRunAt: number | null = null;
  if (nextRunRaw !== "") {
    const at = DateTime.fromISO(nextRunRaw, { zone: timezone });
    if (at.isValid) nextRunAt = at.toMillis();
    else if (DateTime.fromISO(nextRunRaw).isValid) nextRunAt = null;
    else errors.nextRunAt = "Next run must be a date and time";
  }
  const repeats = optionalNumber(text(form, "repeats"));
  const priority = optionalNumber(text(form, "priority"));
  const input: ScheduleInput = {
    name: text(form, "name"),
    task: text(form, "task"),
    args: text(form, "args").trim() || "null",
    scheduleType: text(form, "scheduleType") as ScheduleInput["scheduleType"],
    minutes: optionalNumber(text(form, "minutes")),
    cron: text(form, "cron").trim() || null,
    timezone,
    repeats: repeats ?? -1,
    nextRunAt,
    isEnabled: form.get("isEnabled") === "on",
    queue: text(form, "queue").trim() || "default",
    priority: priority ?? 0,
    catchUp: (text(form, "catchUp") || "once") as ScheduleInput["catchUp"],
  };
  if (isEdit && text(form, "nextRunAt") === text(form, "nextRunAtInitial")) delete input.nextRunAt;
  return { input, errors };
}

function toFieldErrors(errors: Record<string, string>): Record<string, string[]> {
  return Object.fromEntries(Object.entries(errors).map(([k, v]) => [k, [v]]));
}

/** Creates (no `id` field) or updates a schedule from the form; nothing is saved when a field is wrong. */
export async function saveScheduleAction(
  _prev: ScheduleFormState,
  form: FormData,
): Promise<ScheduleFormState> {
  const sender = await formActor(form);
  if ("refusal" in sender) return sender.refusal;
  const id = formId(form);
  if (id === "invalid") return { ok: false, message: "Invalid schedule id." };
  const { input, errors } = formToInput(form, id !== null);
  const checked = validateSchedule(input);
  const fieldErrors = { ...errors, ...(checked.ok ? {} : checked.fieldErrors) };
  if (Object.keys(fieldErrors).length > 0) {
    return refusedForm(
      form,
      "Nothing was saved: check the highlighted fields.",
      toFieldErrors(fieldErrors),
      ["id"],
    );
  }
  try {
    // The form shows secrets masked: saveSchedule keeps the stored value of one left masked.
    const { row: saved } = await getStore().admin.saveSchedule(
      id === null ? { id: null, input } : { id, input },
      sender.actor,
    );
    revalidatePath("/schedules");
    return { ok: true, message: `Saved schedule “${saved.name}”.`, id: saved.id };
  } catch (error) {
    if (error instanceof InputError) {
      const field = error.field ?? "name";
      return refusedForm(
        form,
        `Nothing was saved: ${error.message}`,
        { [field]: [error.message] },
        ["id"],
      );
    }
    throw error;
  }
}

/** The rule in words and the next 5 runs saving the form now would schedule (saves nothing). */
export async function previewScheduleAction(form: FormData): Promise<PreviewResult> {
  try {
    await requireUserAction();
  } catch (error) {
    if (error instanceof AuthError) return { ok: false, fieldErrors: { schedule: error.message } };
    throw error;
  }
  if (!(form instanceof FormData)) return { ok: false, fieldErrors: { schedule: "Invalid form." } };
  const id = formId(form);
  if (id === "invalid") return { ok: false, fieldErrors: { schedule: "Invalid schedule id." } };
  const { input, errors } = formToInput(form, id !== null);
  if (Object.keys(errors).length > 0) return { ok: false, fieldErrors: errors };
  try {
    // The same start as the save (updateSchedule / createSchedule), so the preview is what runs.
    if (id !== null) return await getStore().reads.previewScheduleUpdate(id, input, Date.now(), 5);
    return previewSchedule({ ...input }, Date.now(), 5);
  } catch (error) {
    return { ok: false, fieldErrors: { schedule: (error as Error).message } };
  }
}

/** Runs one audited schedule change for an admin; `write` answers the message shown. */
async function scheduleWrite(
  id: number,
  write: (scheduleId: number, actor: AdminActor) => Promise<string>,
): Promise<ActionResult> {
  try {
    const actor = await requireAdminActor();
    const scheduleId = z.number().int().positive().parse(id);
    const message = await write(scheduleId, actor);
    revalidatePath("/schedules");
    return { ok: true, message };
  } catch (error) {
    if (error instanceof AuthError || error instanceof InputError)
      return { ok: false, message: error.message };
    throw error;
  }
}

/** Enables or disables a schedule (enabling skips the runs missed meanwhile). */
export async function setScheduleEnabledAction(
  id: number,
  isEnabled: boolean,
): Promise<ActionResult> {
  const on = isEnabled === true;
  return scheduleWrite(id, async (scheduleId, actor) => {
    const row = await getStore().admin.setScheduleEnabled({ id: scheduleId, isEnabled: on }, actor);
    return `${row.name} ${on ? "enabled" : "disabled"}.`;
  });
}

/** Enqueues one job of the schedule now (next run and repeats unchanged). */
export async function runScheduleNowAction(id: number): Promise<ActionResult> {
  return scheduleWrite(
    id,
    async (scheduleId, actor) =>
      `Enqueued job #${await getStore().admin.runScheduleNow({ id: scheduleId }, actor)}.`,
  );
}

/** Deletes a schedule (the jobs it created stay). */
export async function deleteScheduleAction(id: number): Promise<ActionResult> {
  return scheduleWrite(id, async (scheduleId, actor) => {
    const row = await getStore().admin.deleteSchedule({ id: scheduleId }, actor);
    return `Deleted schedule “${row.name}”.`;
  });
}
