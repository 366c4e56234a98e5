"use server";
/**
 * Server actions of the Failures list: retry and delete by id or by the current filter. Each one
 * checks the admin session and origin, validates its input with zod, makes the change with its
 * audit entry in one store call, and revalidates the lists.
 */
import { revalidatePath } from "next/cache";
import { z } from "zod";
import { AuthError, requireAdminAction } from "@/app/_lib/auth";
import { requireAdminActor } from "@/app/(dashboard)/_lib/admin-actor";
import type { ActionResult, CountResult } from "@/app/(dashboard)/_lib/action-result";
import { parseResultsSearch, toResultFilter } from "@/app/(dashboard)/_lib/search-params";
import type { ResultState } from "@/db/schema";
import { getStore } from "@/db/store";
import { MAX_BULK, type ResultFilter } from "@/db/store/reads";

const idsSchema = z
  .array(z.number().int().positive())
  .min(1, "Select at least one job.")
  .max(MAX_BULK);
const searchSchema = z.string().max(4000);
const stateSchema = z.enum(["success", "failure"]);

function plural(n: number, word: string) {
  return `${n.toLocaleString("en-US")} ${word}${n === 1 ? "" : "s"}`;
}

async function guard<T extends ActionResult>(
  run: () => Promise<T> | T,
  fallback: (message: string) => T,
): Promise<T> {
  try {
    return await run();
  } catch (error) {
    if (error instanceof AuthError) return fallback(error.message);
    if (error instanceof z.ZodError) return fallback(error.issues[0]?.message ?? "Invalid input.");
    throw error;
  }
}

function refresh() {
  revalidatePath("/failures");
  revalidatePath("/successes");
  revalidatePath("/queue");
  revalidatePath("/");
}

function filterFrom(state: ResultState, search: string): ResultFilter {
  // Bulk actions are admin-only, so "all matching" is what the admin's list matched.
  return toResultFilter(
    state,
    parseResultsSearch(new URLSearchParams(search)),
    Date.now(),
    "admin",
  );
}

async function retryIds(ids: number[]): Promise<ActionResult> {
  const actor = await requireAdminActor();
  const outcome = await getStore().admin.retryFailures({ ids }, actor);
  refresh();
  const done = outcome.retried.length;
  const skipped = outcome.skipped.length;
  if (done === 0)
    return {
      ok: false,
      message: skipped === 1 ? "That job was already retried." : "Those jobs were already retried.",
    };
  const first = outcome.retried[0]!;
  return {
    ok: true,
    message:
      done === 1 && skipped === 0
        ? `Retried as job #${first.jobId}.`
        : `Retried ${plural(done, "job")}${skipped ? ` (${plural(skipped, "job")} already retried)` : ""}.`,
  };
}

async function deleteIds(ids: number[]): Promise<ActionResult> {
  const actor = await requireAdminActor();
  const deleted = await getStore().admin.deleteResults({ ids }, actor);
  refresh();
  if (deleted === 0) return { ok: false, message: "Nothing deleted: already gone." };
  return { ok: true, message: `Deleted ${plural(deleted, "job")}.` };
}

/** Retries failures by id (new jobs linked both ways; already-retried ones are skipped). */
export async function retryFailuresAction(ids: number[]): Promise<ActionResult> {
  return guard(
    () => retryIds(idsSchema.parse(ids)),
    (message) => ({ ok: false, message }),
  );
}

/** Deletes results (failures or successes) by id. */
export async function deleteResultsAction(ids: number[]): Promise<ActionResult> {
  return guard(
    () => deleteIds(idsSchema.parse(ids)),
    (message) => ({ ok: false, message }),
  );
}

/** Counts what "all matching" would touch: not-yet-retried failures for a retry, everything for a delete. */
export async function countMatchingAction(
  kind: "retry" | "delete",
  state: ResultState,
  search: string,
): Promise<CountResult> {
  return guard(
    async () => {
      await requireAdminAction();
      const filter = filterFrom(stateSchema.parse(state), searchSchema.parse(search));
      if (z.enum(["retry", "delete"]).parse(kind) === "retry") {
        if (filter.state !== "failure")
          return { ok: false, message: "Only failures can be retried.", count: 0, isCapped: false };
        if (filter.retried === "yes") return { ok: true, message: "", count: 0, isCapped: false };
        filter.retried = "no";
      }
      const count = await getStore().reads.countMatchingResults(filter);
      return {
        ok: true,
        message: "",
        count: Math.min(count, MAX_BULK),
        isCapped: count > MAX_BULK,
      };
    },
    (message) => ({ ok: false, message, count: 0, isCapped: false }),
  );
}

/** Retries every not-yet-retried failure matching the filter (newest MAX_BULK at most). */
export async function retryMatchingAction(search: string): Promise<ActionResult> {
  return guard(
    async () => {
      await requireAdminAction();
      const parsed = filterFrom("failure", searchSchema.parse(search));
      if (parsed.retried === "yes")
        return { ok: false, message: "These failures were already retried." };
      const filter = { ...parsed, retried: "no" as const };
      const ids = await getStore().reads.selectMatchingResultIds(filter);
      if (ids.length === 0) return { ok: false, message: "No failures match: nothing to retry." };
      return retryIds(ids);
    },
    (message) => ({ ok: false, message }),
  );
}

/** Deletes every result matching the filter (newest MAX_BULK at most). */
export async function deleteMatchingAction(
  state: ResultState,
  search: string,
): Promise<ActionResult> {
  return guard(
    async () => {
      await requireAdminAction();
      const ids = await getStore().reads.selectMatchingResultIds(
        filterFrom(stateSchema.parse(state), searchSchema.parse(search)),
      );
      if (ids.length === 0) return { ok: false, message: "Nothing matches: nothing to delete." };
      return deleteIds(ids);
    },
    (message) => ({ ok: false, message }),
  );
}
