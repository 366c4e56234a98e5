/**
 * Admin actions: every change a person makes from the dashboard, the API or the CLI, each with
 * its audit entry written in the same transaction (db/admin-actions.ts). Each method takes the
 * action's input and the actor `{ name, address }`.
 */
import type { Db } from "../client";
import {
  cancelJob,
  deleteResults,
  deleteSchedule,
  enqueue,
  requestCancel,
  retryAllFailures,
  retryFailures,
  revealJob,
  runScheduleNow,
  saveSchedule,
  setScheduleEnabled,
} from "../admin-actions";
import { recordAudit } from "../queries/audit";
import { bindGroup, type BoundGroup } from "./bind";

export type { AdminActor, AuditedEnqueue, ScheduleSave } from "../admin-actions";
export type { RevealedJob } from "../queries/audit-reveal";
export type { CancelOutcome, RetryResult } from "../lifecycle";
export { compactIds, expandIds, type AuditInput } from "../queries/audit";

const sqliteAdmin = {
  /** Records one audit entry on its own (secrets masked); returns its id. */
  recordAudit,
  enqueue,
  retryFailures,
  retryAllFailures,
  deleteResults,
  cancelJob,
  requestCancel,
  revealJob,
  saveSchedule,
  setScheduleEnabled,
  runScheduleNow,
  deleteSchedule,
};

/** Changes made by people (dashboard, API, CLI), audited in the same transaction. */
export type AdminStore = BoundGroup<typeof sqliteAdmin>;

export function sqliteAdminStore(db: () => Db): AdminStore {
  return bindGroup(db, sqliteAdmin);
}
