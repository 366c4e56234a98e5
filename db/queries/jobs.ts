/**
 * Dashboard reads: failures grouped by error, the filter menus, workers and the latest failures;
 * and, re-exported from their own modules, the results lists (results-list.ts), the Queue's
 * lists (queue-list.ts) and one job's detail (job-detail.ts). Cancelling is db/lifecycle.ts's.
 */
import type { Db } from "../client";
import { prepared } from "./prepared";
import { listResults, type ResultListRow } from "./results-list";

export * from "./results-list";
export * from "./queue-list";
export * from "./job-detail";

/** Failures sharing one error fingerprint (db/queries/failure-groups.ts). */
export interface FailureGroup {
  /** The fingerprint: the group's key and its `error` filter on the Failures list. */
  message: string;
  /** The first line of one of its errors (the newest when it arrived). */
  example: string;
  count: number;
  /** How many are not retried yet. */
  open: number;
  tasks: string;
  lastAt: number;
}

/**
 * Failures grouped by fingerprint (their error's first line without its data), most unresolved first (at most
 * `limit`, default 50). Reads `failure_groups`, kept by triggers on `results`, in the order of
 * failure_groups_list_idx; each group's tasks (sorted) come from `failure_group_tasks`.
 */
export function listFailureGroups(db: Db, limit = 50): FailureGroup[] {
  return prepared(
    db,
    `SELECT message, example, count, open_count AS open, last_at AS lastAt,
       (SELECT group_concat(task, ',' ORDER BY task) FROM failure_group_tasks t
        WHERE t.message = g.message) AS tasks
     FROM failure_groups g ORDER BY open_count DESC, count DESC, last_at DESC, message LIMIT @limit`,
  ).all({ limit }) as FailureGroup[];
}

/** Distinct values for the filter menus (tasks from the catalog, queues and groups seen live or recently). */
export function listFilterOptions(db: Db): { tasks: string[]; queues: string[] } {
  const tasks = prepared(db, `SELECT name FROM tasks ORDER BY name`).pluck().all() as string[];
  // Walks results_state_queue_stopped_idx by skip-scan-like jumps: one probe per distinct queue.
  const queues = new Set<string>(["default"]);
  const nextQueue = prepared(
    db,
    `SELECT queue FROM results WHERE state = @state AND queue > @after ORDER BY queue LIMIT 1`,
  ).pluck();
  for (const state of ["success", "failure"]) {
    let after = "";
    for (let i = 0; i < 50; i++) {
      const q = nextQueue.get({ state, after }) as string | undefined;
      if (q === undefined) break;
      queues.add(q);
      after = q;
    }
  }
  for (const q of prepared(db, `SELECT DISTINCT queue FROM jobs LIMIT 50`)
    .pluck()
    .all() as string[])
    queues.add(q);
  return { tasks, queues: [...queues].sort() };
}
/** A worker as the Overview shows it, with the jobs it runs now. */
export interface WorkerInfo {
  id: string;
  host: string;
  pid: number;
  concurrency: number;
  queues: string;
  startedAt: number;
  lastHeartbeatAt: number;
  stoppedAt: number | null;
  jobsDone: number;
  running: { id: number; name: string | null; task: string; progress: number | null }[];
}

/** Workers not stopped, or stopped within the last hour, newest first (at most 50). */
export function listWorkers(db: Db, now = Date.now()): WorkerInfo[] {
  const workers = prepared(
    db,
    `SELECT id, host, pid, concurrency, queues, started_at AS startedAt, last_heartbeat_at AS lastHeartbeatAt,
       stopped_at AS stoppedAt, jobs_done AS jobsDone
     FROM workers WHERE last_heartbeat_at > @since ORDER BY stopped_at IS NOT NULL, started_at DESC LIMIT 50`,
  ).all({ since: now - STOPPED_WORKER_SHOWN_MS }) as Omit<WorkerInfo, "running">[];
  const running = prepared(
    db,
    `SELECT id, name, task, progress, locked_by AS lockedBy FROM jobs WHERE state = 'running' ORDER BY id LIMIT 1000`,
  ).all() as RunningJob[];
  return withRunning(workers, running);
}

/** A running job and the worker holding it. */
export type RunningJob = WorkerInfo["running"][number] & { lockedBy: string | null };

/** Workers, each with the running jobs it holds. */
export function withRunning(
  workers: Omit<WorkerInfo, "running">[],
  running: RunningJob[],
): WorkerInfo[] {
  return workers.map((w) => ({
    ...w,
    running: running.filter((j) => j.lockedBy === w.id).map(({ lockedBy: _l, ...j }) => j),
  }));
}

/** How long a stopped worker stays listed (ms). */
export const STOPPED_WORKER_SHOWN_MS = 3_600_000;

/** The latest failures (for the Overview). */
export function listLatestFailures(db: Db, limit = 5): ResultListRow[] {
  return listResults(db, { state: "failure", sort: "stopped", dir: "desc", limit }).rows;
}
