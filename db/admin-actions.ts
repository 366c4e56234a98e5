/**
 * The admin actions: every change a person makes from the dashboard, the JSON API or the CLI, each
 * written with its audit entry in one IMMEDIATE transaction (auditedChange), so the log and the
 * data never disagree. Callers pass the action's input and who acts; they never see the
 * transaction. Actor names: a username, `token:<name>` (API tokens), `cli:<user>` (the CLI).
 */
import type { Db } from "./client";
import {
  cancelQueuedJob,
  deleteResults as deleteResultRows,
  requestCancel as requestJobCancel,
  retryFailedJobs,
  type CancelOutcome,
  type RetryResult,
} from "./lifecycle";
import { restoreMaskedSecrets } from "./mask-secrets";
import { auditedChange, compactIds, type AuditInput } from "./queries/audit";
import { revealJob as readAndAuditReveal, type RevealedJob } from "./queries/audit-reveal";
import { enqueueJob, type EnqueueOptions } from "./queries/enqueue";
import { listRetryableFailureIds } from "./queries/retry";
import {
  createSchedule,
  deleteSchedule as deleteScheduleRow,
  getScheduleRow,
  runScheduleNow as enqueueScheduleRun,
  setScheduleEnabled as setEnabled,
  updateSchedule,
  type SchedulePatch,
} from "./queries/schedules";
import { noSchedule } from "./queries/schedules-start";
import type { ScheduleInput } from "./schedule-rules";
import type { ScheduleRow } from "./schema";

/** Who makes a change: the audit entry's actor and the client's address (null when unknown). */
export interface AdminActor {
  name: string;
  address: string | null;
}

/** The job ids a retry touched, as the audit entry records them (compact ranges). */
function retryAfter(result: RetryResult) {
  return {
    count: result.retried.length,
    failureIds: compactIds(result.retried.map((r) => r.failureId)),
    jobIds: compactIds(result.retried.map((r) => r.jobId)),
  };
}

/** A job to enqueue; `via: "api"` records a short entry (task, queue) instead of the arguments. */
export interface AuditedEnqueue {
  task: string;
  args?: unknown;
  options?: EnqueueOptions;
  via?: "api";
}

/** Enqueues one job and records `job.enqueue`; returns the job id. */
export function enqueue(db: Db, input: AuditedEnqueue, actor: AdminActor): number {
  const { task, args, options = {} } = input;
  return auditedChange(
    db,
    () => enqueueJob(db, task, args, options),
    (id) => auditEntries.enqueue(input, actor, id),
  );
}

/**
 * Retries failures by id (new jobs linked both ways; already-retried ones are skipped) and records
 * `job.retry` with every id, unless nothing was retried.
 */
export function retryFailures(db: Db, input: { ids: number[] }, actor: AdminActor): RetryResult {
  return auditedChange(
    db,
    () => retryFailedJobs(db, input.ids),
    (result) => auditEntries.retry(result, actor),
  );
}

/** Failures retried per transaction by retryAllFailures, so workers are never held up long. */
export const RETRY_ALL_CHUNK = 1000;

/**
 * Retries every failure not yet retried (only task `task`'s when given), in chunks of 1,000, each
 * with its `failures.retry` entry in the same transaction; returns how many were retried.
 */
export function retryAllFailures(db: Db, input: { task?: string }, actor: AdminActor): number {
  const ids = listRetryableFailureIds(db, input.task ? { task: input.task } : {});
  let retried = 0;
  for (let i = 0; i < ids.length; i += RETRY_ALL_CHUNK) {
    const result = auditedChange(
      db,
      () => retryFailedJobs(db, ids.slice(i, i + RETRY_ALL_CHUNK)),
      (r) => auditEntries.retryAll(input, r, actor),
    );
    retried += result.retried.length;
  }
  return retried;
}

/** Deletes results (failures or successes) and their attempts by id, recording `job.delete`; returns how many. */
export function deleteResults(db: Db, input: { ids: number[] }, actor: AdminActor): number {
  return auditedChange(
    db,
    () => deleteResultRows(db, input.ids),
    (n) => auditEntries.deleteResults(input, n, actor),
  );
}

/** Cancels a queued job (a failure "Cancelled by <actor>"), recording `job.cancel` when it did. */
export function cancelJob(db: Db, input: { id: number }, actor: AdminActor): CancelOutcome {
  return auditedChange(
    db,
    () => cancelQueuedJob(db, input.id, actor.name),
    (outcome) => auditEntries.cancel(input, outcome, actor),
  );
}

/** Asks a running job to stop, recording `job.request_cancel` when the request is new. */
export function requestCancel(db: Db, input: { id: number }, actor: AdminActor): CancelOutcome {
  return auditedChange(
    db,
    () => requestJobCancel(db, input.id),
    (outcome) => auditEntries.requestCancel(input, outcome, actor),
  );
}

/** Reads one job's unmasked values and records `job.reveal`; null when there is no such job. */
export function revealJob(db: Db, input: { id: number }, actor: AdminActor): RevealedJob | null {
  return readAndAuditReveal(db, input.id, actor.name, actor.address);
}

/** A schedule to save: a new one (`id` null, a full definition) or some fields of one. */
export type ScheduleSave =
  { id: null; input: ScheduleInput } | { id: number; input: SchedulePatch };

/**
 * Creates or updates a schedule, recording `schedule.create` / `schedule.update` with the row
 * before and after. Arguments left masked (the dashboard shows secrets masked) keep their stored
 * value. Throws InputError naming the field when the definition is wrong; nothing is saved then.
 */
export function saveSchedule(
  db: Db,
  save: ScheduleSave,
  actor: AdminActor,
): { before: ScheduleRow | null; row: ScheduleRow } {
  return auditedChange(
    db,
    () => {
      if (save.id === null) return { before: null, row: createSchedule(db, save.input) };
      const before = getScheduleRow(db, save.id);
      return { before, row: updateSchedule(db, before.id, unmaskedPatch(save.input, before)) };
    },
    (saved) => auditEntries.saveSchedule(saved, actor),
  );
}

/**
 * Enables or disables a schedule (enabling skips the runs missed meanwhile), recording
 * `schedule.enable` / `schedule.disable`; returns the saved row.
 */
export function setScheduleEnabled(
  db: Db,
  input: { id: number; isEnabled: boolean },
  actor: AdminActor,
): ScheduleRow {
  return auditedChange(
    db,
    () => {
      const before = getScheduleRow(db, input.id);
      return { before, row: setEnabled(db, input.id, input.isEnabled) };
    },
    (saved) => auditEntries.setScheduleEnabled(input, saved, actor),
  ).row;
}

/** Enqueues one job of a schedule now (next run and repeats unchanged), recording `schedule.run`; returns the job id. */
export function runScheduleNow(db: Db, input: { id: number }, actor: AdminActor): number {
  return auditedChange(
    db,
    () => enqueueScheduleRun(db, input.id),
    (jobId) => auditEntries.runScheduleNow(input, jobId, actor),
  );
}

/** Deletes a schedule (the jobs it created stay), recording `schedule.delete`; returns the deleted row. */
export function deleteSchedule(db: Db, input: { id: number }, actor: AdminActor): ScheduleRow {
  return auditedChange(
    db,
    () => {
      const row = getScheduleRow(db, input.id);
      if (!deleteScheduleRow(db, input.id)) throw noSchedule(input.id);
      return row;
    },
    (row) => auditEntries.deleteSchedule(input, row, actor),
  );
}

/**
 * A schedule patch whose arguments, left masked (the dashboard shows secrets masked), keep their
 * stored value (pure; both dialects).
 */
export function unmaskedPatch(patch: SchedulePatch, before: ScheduleRow): SchedulePatch {
  const { args } = patch;
  return args === undefined ? patch : { ...patch, args: restoreMaskedSecrets(args, before.args) };
}

/**
 * Each admin action's audit entry, made from its input, result and actor; null: nothing changed,
 * nothing is recorded. Pure, shared by both dialects' actions.
 */
export const auditEntries = {
  enqueue(input: AuditedEnqueue, actor: AdminActor, id: number): AuditInput {
    const { task, args, options = {} } = input;
    return {
      actor: actor.name,
      action: "job.enqueue",
      target: `job:${id}`,
      after:
        input.via === "api"
          ? { task, queue: options.queue ?? "default", via: "api" }
          : { task, args, ...options },
      address: actor.address,
    };
  },
  retry(result: RetryResult, actor: AdminActor): AuditInput | null {
    if (result.retried.length === 0) return null;
    return {
      actor: actor.name,
      action: "job.retry",
      target:
        result.retried.length === 1
          ? `job:${result.retried[0]!.failureId}`
          : `jobs:${result.retried.length}`,
      // The n-th failure's new job is found by its retry_of link.
      after: retryAfter(result),
      address: actor.address,
    };
  },
  retryAll(input: { task?: string }, result: RetryResult, actor: AdminActor): AuditInput | null {
    if (result.retried.length === 0) return null;
    return {
      actor: actor.name,
      action: "failures.retry",
      target: input.task ? `task:${input.task}` : "all",
      after: retryAfter(result),
      address: actor.address,
    };
  },
  deleteResults(input: { ids: number[] }, n: number, actor: AdminActor): AuditInput | null {
    const { ids } = input;
    if (n === 0) return null;
    return {
      actor: actor.name,
      action: "job.delete",
      target: ids.length === 1 ? `job:${ids[0]}` : `jobs:${n}`,
      before: { count: n, ids: compactIds(ids) },
      address: actor.address,
    };
  },
  cancel(input: { id: number }, outcome: CancelOutcome, actor: AdminActor): AuditInput | null {
    if (outcome !== "cancelled") return null;
    return {
      actor: actor.name,
      action: "job.cancel",
      target: `job:${input.id}`,
      address: actor.address,
    };
  },
  requestCancel(
    input: { id: number },
    outcome: CancelOutcome,
    actor: AdminActor,
  ): AuditInput | null {
    if (outcome !== "requested") return null;
    return {
      actor: actor.name,
      action: "job.request_cancel",
      target: `job:${input.id}`,
      address: actor.address,
    };
  },
  saveSchedule(
    { before, row }: { before: ScheduleRow | null; row: ScheduleRow },
    actor: AdminActor,
  ): AuditInput {
    return {
      actor: actor.name,
      action: before === null ? "schedule.create" : "schedule.update",
      target: `schedule:${row.id}`,
      before,
      after: row,
      address: actor.address,
    };
  },
  setScheduleEnabled(
    input: { id: number; isEnabled: boolean },
    { before, row }: { before: ScheduleRow; row: ScheduleRow },
    actor: AdminActor,
  ): AuditInput {
    return {
      actor: actor.name,
      action: input.isEnabled ? "schedule.enable" : "schedule.disable",
      target: `schedule:${input.id}`,
      before: { isEnabled: before.isEnabled },
      after: { isEnabled: row.isEnabled, nextRunAt: row.nextRunAt },
      address: actor.address,
    };
  },
  runScheduleNow(input: { id: number }, jobId: number, actor: AdminActor): AuditInput {
    return {
      actor: actor.name,
      action: "schedule.run",
      target: `schedule:${input.id}`,
      after: { jobId },
      address: actor.address,
    };
  },
  deleteSchedule(input: { id: number }, row: ScheduleRow, actor: AdminActor): AuditInput {
    return {
      actor: actor.name,
      action: "schedule.delete",
      target: `schedule:${input.id}`,
      before: row,
      address: actor.address,
    };
  },
};
