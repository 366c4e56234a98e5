/**
 * Admin actions: every change a person makes from the dashboard, the API or the CLI, each with
 * its audit entry written in the same transaction (db/admin-actions.ts). Each method takes the
 * action's input and the actor `{ name, address }`.
 */
import type { Db } from "../client";
import * as audit from "../queries/audit";
import * as actions from "../admin-actions";
import type { AdminActor, AuditedEnqueue, ScheduleSave } from "../admin-actions";
import type { CancelOutcome, RetryResult } from "../lifecycle";
import type { AuditInput } from "../queries/audit";
import type { RevealedJob } from "../queries/audit-reveal";
import type { ScheduleRow } from "../schema";
import { bindQueries } from "./bind";

export type { AdminActor, AuditedEnqueue, ScheduleSave } from "../admin-actions";
export type { RevealedJob } from "../queries/audit-reveal";
export type { CancelOutcome, RetryResult } from "../lifecycle";
export { compactIds, expandIds, type AuditInput } from "../queries/audit";

/** Changes made by people (dashboard, API, CLI), audited in the same transaction. */
export interface AdminStore {
  /** Records one audit entry (secrets in `before`/`after` masked first); returns its id. */
  recordAudit(entry: AuditInput, now?: number): Promise<number>;
  /** Enqueues one job and records `job.enqueue`; returns the job id. */
  enqueue(input: AuditedEnqueue, actor: AdminActor): Promise<number>;
  /** Retries failures by id (new jobs linked both ways; already-retried ones are skipped) and records `job.retry` with every id, unless nothing was retried. */
  retryFailures(input: { ids: number[] }, actor: AdminActor): Promise<RetryResult>;
  /** Retries every failure not yet retried (only task `task`'s when given), in chunks of 1,000, each with its `failures.retry` entry in the same transaction; returns how many were retried. */
  retryAllFailures(input: { task?: string }, actor: AdminActor): Promise<number>;
  /** Deletes results (failures or successes) and their attempts by id, recording `job.delete`; returns how many. */
  deleteResults(input: { ids: number[] }, actor: AdminActor): Promise<number>;
  /** Cancels a queued job (a failure "Cancelled by <actor>"), recording `job.cancel` when it did. */
  cancelJob(input: { id: number }, actor: AdminActor): Promise<CancelOutcome>;
  /** Asks a running job to stop, recording `job.request_cancel` when the request is new. */
  requestCancel(input: { id: number }, actor: AdminActor): Promise<CancelOutcome>;
  /** Reads one job's unmasked values and records `job.reveal`; null when there is no such job. */
  revealJob(input: { id: number }, actor: AdminActor): Promise<RevealedJob | null>;
  /** Creates or updates a schedule, recording `schedule.create` / `schedule.update` with the row before and after. */
  saveSchedule(
    save: ScheduleSave,
    actor: AdminActor,
  ): Promise<{ before: ScheduleRow | null; row: ScheduleRow }>;
  /** Enables or disables a schedule (enabling skips the runs missed meanwhile), recording `schedule.enable` / `schedule.disable`; returns the saved row. */
  setScheduleEnabled(
    input: { id: number; isEnabled: boolean },
    actor: AdminActor,
  ): Promise<ScheduleRow>;
  /** Enqueues one job of a schedule now (next run and repeats unchanged), recording `schedule.run`; returns the job id. */
  runScheduleNow(input: { id: number }, actor: AdminActor): Promise<number>;
  /** Deletes a schedule (the jobs it created stay), recording `schedule.delete`; returns the deleted row. */
  deleteSchedule(input: { id: number }, actor: AdminActor): Promise<ScheduleRow>;
}

export function sqliteAdminStore(db: () => Db): AdminStore {
  return bindQueries(db, { ...audit, ...actions });
}
