/**
 * Admin actions on PostgreSQL (AdminStore, db/store/admin.ts): each change with its audit entry
 * in one transaction. The entries are db/admin-actions.ts's auditEntries, the transitions'
 * decisions db/lifecycle.ts's; only the SQL (db/pg/queries) differs from SQLite.
 */
import type pg from "pg";
import { auditEntries, RETRY_ALL_CHUNK, unmaskedPatch } from "../../admin-actions";
import { cancelledQueued } from "../../lifecycle";
import { revealed, revealEntry } from "../../queries/audit-reveal";
import type { AdminStore } from "../../store/admin";
import { dbNow } from "../client";
import { withTransaction } from "../tx";
import { auditedChangePg, recordAuditPg } from "../queries/audit";
import { enqueueValues, insertJobsPg } from "../queries/enqueue";
import { deleteResultsPg, finishPg, requestCancelPg, retryFailedPg } from "../queries/lifecycle";
import { listRetryableFailureIdsPg } from "../queries/dashboard";
import { readJobPg } from "../queries/read";
import {
  createSchedulePg,
  deleteSchedulePg,
  runScheduleNowPg,
  setScheduleEnabledPg,
  updateSchedulePg,
} from "../queries/schedules";
import { getScheduleRowPg } from "../queries/schedules-read";
import { noSchedule } from "../../queries/schedules-start";

export function pgAdminStore(pool: pg.Pool): AdminStore {
  return {
    recordAudit: (entry, now) => recordAuditPg(pool, entry, now),

    async enqueue(input, actor) {
      const row = await enqueueValues(pool, input.task, input.args, input.options ?? {});
      return auditedChangePg(
        pool,
        async (client) => (await insertJobsPg(client, [row]))[0]!,
        (id) => auditEntries.enqueue(input, actor, id),
      );
    },

    retryFailures: (input, actor) =>
      auditedChangePg(
        pool,
        async (client) => retryFailedPg(client, input.ids, await dbNow(client)),
        (result) => auditEntries.retry(result, actor),
      ),

    async retryAllFailures(input, actor) {
      const ids = await listRetryableFailureIdsPg(pool, input.task ? { task: input.task } : {});
      let retried = 0;
      for (let i = 0; i < ids.length; i += RETRY_ALL_CHUNK) {
        const chunk = ids.slice(i, i + RETRY_ALL_CHUNK);
        const result = await auditedChangePg(
          pool,
          async (client) => retryFailedPg(client, chunk, await dbNow(client)),
          (r) => auditEntries.retryAll(input, r, actor),
        );
        retried += result.retried.length;
      }
      return retried;
    },

    deleteResults: (input, actor) =>
      auditedChangePg(
        pool,
        (client) => deleteResultsPg(client, input.ids),
        (n) => auditEntries.deleteResults(input, n, actor),
      ),

    cancelJob: (input, actor) =>
      auditedChangePg(
        pool,
        async (client) => {
          const ending = cancelledQueued(input.id, actor.name, await dbNow(client));
          return (await finishPg(client, ending)) ? ("cancelled" as const) : ("not-found" as const);
        },
        (outcome) => auditEntries.cancel(input, outcome, actor),
      ),

    requestCancel: (input, actor) =>
      auditedChangePg(
        pool,
        (client) => requestCancelPg(client, input.id, null),
        (outcome) => auditEntries.requestCancel(input, outcome, actor),
      ),

    revealJob: (input, actor) =>
      withTransaction(pool, async (client) => {
        const job = await readJobPg(client, input.id);
        if (!job) return null;
        await recordAuditPg(client, revealEntry(input.id, actor.name, actor.address));
        return revealed(job);
      }),

    saveSchedule: (save, actor) =>
      auditedChangePg(
        pool,
        async (client) => {
          if (save.id === null) {
            return { before: null, row: await createSchedulePg(client, save.input) };
          }
          const before = await getScheduleRowPg(client, save.id, true);
          const patch = unmaskedPatch(save.input, before);
          return { before, row: await updateSchedulePg(client, before.id, patch) };
        },
        (saved) => auditEntries.saveSchedule(saved, actor),
      ),

    async setScheduleEnabled(input, actor) {
      const saved = await auditedChangePg(
        pool,
        async (client) => {
          const before = await getScheduleRowPg(client, input.id, true);
          return { before, row: await setScheduleEnabledPg(client, input.id, input.isEnabled) };
        },
        (s) => auditEntries.setScheduleEnabled(input, s, actor),
      );
      return saved.row;
    },

    runScheduleNow: (input, actor) =>
      auditedChangePg(
        pool,
        (client) => runScheduleNowPg(client, input.id),
        (jobId) => auditEntries.runScheduleNow(input, jobId, actor),
      ),

    deleteSchedule: (input, actor) =>
      auditedChangePg(
        pool,
        async (client) => {
          const row = await getScheduleRowPg(client, input.id, true);
          if (!(await deleteSchedulePg(client, input.id))) throw noSchedule(input.id);
          return row;
        },
        (row) => auditEntries.deleteSchedule(input, row, actor),
      ),
  };
}
