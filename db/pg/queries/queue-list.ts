/** The Queue page's lists on PostgreSQL: the statements and pages of db/queries/queue-list.ts. */
import {
  countQueuedSql,
  queuedPage,
  queuedPageSql,
  runningJobsSql,
  type QueuedPage,
  type QueuedPageParams,
  type QueueFilter,
  type QueueRow,
} from "../../queries/queue-list";
import { MATCHING_COUNT_CAP } from "../../queries/results-list";
import type { Queryable } from "../client";
import { queryNamed } from "./named";

/** listRunningJobs on PostgreSQL. */
export async function listRunningJobsPg(
  db: Queryable,
  filter: QueueFilter = {},
  limit = 500,
): Promise<QueueRow[]> {
  const q = runningJobsSql(filter, limit);
  return queryNamed<QueueRow>(db, q.sql, q.params);
}

/** listQueuedJobs on PostgreSQL (jobs_claim_idx / jobs_claim_queue_idx, both ways). */
export async function listQueuedJobsPg(
  db: Queryable,
  filter: QueuedPageParams,
): Promise<QueuedPage> {
  const q = queuedPageSql(filter);
  const rows = await queryNamed<QueueRow>(db, q.sql, q.params);
  return (
    queuedPage(q, rows) ?? (await listQueuedJobsPg(db, { ...filter, before: null, cursor: null }))
  );
}

/** countQueuedJobs on PostgreSQL. */
export async function countQueuedJobsPg(
  db: Queryable,
  filter: QueueFilter,
  cap = MATCHING_COUNT_CAP,
): Promise<number> {
  const q = countQueuedSql(filter, cap);
  const rows = await queryNamed<{ n: number }>(db, q.sql, q.params);
  return rows[0]?.n ?? 0;
}
