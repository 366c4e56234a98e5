/**
 * Admin actions: every change a person makes from the dashboard, the API or the CLI, each with
 * its audit entry written in the same transaction.
 */
import type { Db } from "../client";
import { cancelQueuedJob, deleteResults, requestCancel, retryFailedJobs } from "../lifecycle";
import { recordAudit } from "../queries/audit";
import { revealJob } from "../queries/audit-reveal";
import { bindGroup, type BoundGroup } from "./bind";

const sqliteAdmin = {
  recordAudit,
  revealJob,
  cancelQueuedJob,
  requestCancel,
  retryFailedJobs,
  deleteResults,
};

/** Changes made by people (dashboard, API, CLI), audited in the same transaction. */
export type AdminStore = BoundGroup<typeof sqliteAdmin>;

export function sqliteAdminStore(db: () => Db): AdminStore {
  return bindGroup(db, sqliteAdmin);
}
