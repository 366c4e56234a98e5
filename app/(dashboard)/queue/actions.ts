"use server";
/**
 * Server actions of the Queue page: cancel a queued job, ask a running one to cancel, enqueue a job.
 * Each checks the admin session and origin, validates with zod and makes one audited store call.
 */
import { revalidatePath } from "next/cache";
import { z } from "zod";
import { AuthError } from "@/app/_lib/auth";
import { formActor, requireAdminActor } from "@/app/(dashboard)/_lib/admin-actor";
import { refusedForm, type ActionResult } from "@/app/(dashboard)/_lib/action-result";
import { InputError } from "@/db/errors";
import { parseDecimal } from "@/db/limits";
import { getStore } from "@/db/store";
import type { AdminActor, CancelOutcome } from "@/db/store/admin";

const idSchema = z.number().int().positive();

function refresh() {
  revalidatePath("/queue");
  revalidatePath("/failures");
  revalidatePath("/");
}

async function authFailure(error: unknown): Promise<ActionResult> {
  if (error instanceof AuthError) return { ok: false, message: error.message };
  if (error instanceof z.ZodError) return { ok: false, message: "Invalid job id." };
  throw error;
}

/** Changes one job for an admin through `change` (one audited store call), then replies. */
async function changeJob(
  id: number,
  change: (input: { id: number }, actor: AdminActor) => Promise<CancelOutcome>,
  reply: (outcome: CancelOutcome, jobId: number) => ActionResult,
): Promise<ActionResult> {
  try {
    const actor = await requireAdminActor();
    const jobId = idSchema.parse(id);
    const outcome = await change({ id: jobId }, actor);
    refresh();
    return reply(outcome, jobId);
  } catch (error) {
    return authFailure(error);
  }
}

/** Cancels a queued job (it becomes a failure "Cancelled by <you>", retryable like any other). */
export async function cancelQueuedAction(id: number): Promise<ActionResult> {
  return changeJob(
    id,
    (input, actor) => getStore().admin.cancelJob(input, actor),
    (outcome, jobId) =>
      outcome === "cancelled"
        ? { ok: true, message: `Job #${jobId} cancelled.` }
        : { ok: false, message: `Job #${jobId} is no longer queued (it started or finished).` },
  );
}

/** Asks a running job to stop; the worker holding it aborts the run and records it. */
export async function requestCancelAction(id: number): Promise<ActionResult> {
  return changeJob(
    id,
    (input, actor) => getStore().admin.requestCancel(input, actor),
    (outcome, jobId) => {
      if (outcome === "requested") return { ok: true, message: `Asked job #${jobId} to cancel.` };
      if (outcome === "already-requested")
        return { ok: false, message: `Job #${jobId} was already asked to cancel.` };
      return { ok: false, message: `Job #${jobId} is not running any more.` };
    },
  );
}

const optionalNumber = (schema: z.ZodNumber) =>
  z.preprocess(
    (v) => (v === "" || v === null || v === undefined ? undefined : parseDecimal(String(v).trim())),
    schema.optional(),
  );

const enqueueSchema = z.object({
  task: z.string().trim().min(1, "Choose a task."),
  args: z
    .string()
    .max(70_000, "Arguments are too long.")
    .transform((text, ctx) => {
      if (text.trim() === "") return null;
      try {
        return JSON.parse(text) as unknown;
      } catch (error) {
        ctx.addIssue({ code: "custom", message: `Not valid JSON: ${(error as Error).message}` });
        return z.NEVER;
      }
    }),
  name: z
    .string()
    .trim()
    .max(200)
    .optional()
    .transform((v) => (v ? v : undefined)),
  queue: z
    .string()
    .trim()
    .max(200)
    .optional()
    .transform((v) => (v ? v : undefined)),
  group: z
    .string()
    .trim()
    .max(200)
    .optional()
    .transform((v) => (v ? v : undefined)),
  priority: optionalNumber(
    z.number({ error: "Priority must be a whole number." }).int("Priority must be a whole number."),
  ),
  delay: optionalNumber(
    z.number({ error: "Delay must be a number of seconds." }).min(0, "Delay cannot be negative."),
  ),
});

/** State of the enqueue form (useActionState). */
export type EnqueueFormState = ActionResult & {
  jobId?: number;
  /** The submitted fields when refused, so the form shows them again after React resets it. */
  values?: Record<string, string>;
};

/** Enqueues one job of a registered task from the form; field errors name the input at fault. */
export async function enqueueAction(
  _prev: EnqueueFormState,
  formData: FormData,
): Promise<EnqueueFormState> {
  const sender = await formActor(formData);
  if ("refusal" in sender) return sender.refusal;
  const parsed = enqueueSchema.safeParse(Object.fromEntries(formData));
  if (!parsed.success) {
    return refusedForm(
      formData,
      "Check the highlighted fields.",
      z.flattenError(parsed.error).fieldErrors,
    );
  }
  const { task, args, ...options } = parsed.data;
  try {
    const jobId = await getStore().admin.enqueue({ task, args, options }, sender.actor);
    refresh();
    return { ok: true, message: `Enqueued job #${jobId}.`, jobId };
  } catch (error) {
    if (error instanceof InputError) {
      const field =
        error.field === "maxAttempts" || error.field === "runAt"
          ? "delay"
          : (error.field ?? "task");
      return refusedForm(formData, error.message, { [field]: [error.message] });
    }
    throw error;
  }
}
