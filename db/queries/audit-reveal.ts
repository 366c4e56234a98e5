/**
 * Revealing a job's unmasked values (admins only, checked by the caller): the read and its audit
 * entry `job.reveal` happen in one transaction, so no value is shown without its entry.
 */
import type { Db } from "../client";
import { recordAudit, type AuditInput } from "./audit";
import { readJob, type JobInfo } from "./read";

/** A job's values as stored, unmasked. */
export interface RevealedJob {
  id: number;
  args: unknown;
  result: unknown;
  error: string | null;
  errorStack: string | null;
}

/** Reads one job's raw arguments, result and error and audits it as `job.reveal`; null when unknown. */
export function revealJob(
  db: Db,
  id: number,
  actor: string,
  address: string | null = null,
): RevealedJob | null {
  return db.$client
    .transaction(() => {
      const job = readJob(db, id);
      if (!job) return null;
      recordAudit(db, revealEntry(id, actor, address));
      return revealed(job);
    })
    .immediate();
}

/** The audit entry of a reveal (pure; both dialects). */
export function revealEntry(id: number, actor: string, address: string | null): AuditInput {
  return {
    actor,
    action: "job.reveal",
    target: `job:${id}`,
    after: { fields: ["args", "result", "error", "errorStack"] },
    address,
  };
}

/** What a reveal shows of a job (pure; both dialects). */
export function revealed(job: JobInfo): RevealedJob {
  return {
    id: job.id,
    args: job.args,
    result: job.result,
    error: job.error,
    errorStack: job.errorStack,
  };
}
