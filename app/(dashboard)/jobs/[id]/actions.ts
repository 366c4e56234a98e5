"use server";
/**
 * The job page's Reveal: an admin asks for one job's unmasked arguments, result and errors. Every
 * reveal is written to the audit log (`job.reveal`) before the values are returned.
 */
import { z } from "zod";
import { AuthError } from "@/app/_lib/auth";
import { requireAdminActor } from "@/app/(dashboard)/_lib/admin-actor";
import { getStore } from "@/db/store";
import type { RevealedJob } from "@/db/store/admin";

/** What Reveal answers: the raw values, or why not. */
export type RevealResult = { ok: true; job: RevealedJob } | { ok: false; message: string };

/** Returns one job's unmasked values to an admin and audits it; viewers are refused. */
export async function revealJobAction(id: number): Promise<RevealResult> {
  try {
    const actor = await requireAdminActor();
    const jobId = z.number().int().positive().parse(id);
    const job = await getStore().admin.revealJob({ id: jobId }, actor);
    return job ? { ok: true, job } : { ok: false, message: `No job #${jobId}.` };
  } catch (error) {
    if (error instanceof AuthError) return { ok: false, message: error.message };
    if (error instanceof z.ZodError) return { ok: false, message: "Invalid job id." };
    throw error;
  }
}
