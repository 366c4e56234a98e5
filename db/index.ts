/**
 * Jobdeck's library API, for your application code:
 *
 *   import { enqueue, getJob } from "@/db";
 *   const id = await enqueue("emails.welcome", { userId: 42 }, { queue: "mail", delay: 60 });
 *   const job = await getJob(id); // { status: "queued" | "running" | "success" | "failure", result, … }
 *
 * Functions use the database at DATABASE_URL (default data/jobdeck.db), opened and migrated on
 * first use; `connect(url)` binds them to another file. They return promises so that code written
 * today keeps working when a PostgreSQL backend arrives.
 */
import { getDb, type Db } from "./client";
import { enqueueJob, enqueueJobs, type EnqueueInput, type EnqueueOptions } from "./queries/enqueue";
import { readGroup, readJob, type JobInfo } from "./queries/read";

export type { EnqueueInput, EnqueueOptions } from "./queries/enqueue";
export type { JobInfo, JobStatus } from "./queries/read";
export { InputError } from "./errors";

/** The library's functions bound to one database. */
export interface Queue {
  /** Enqueues a job of a registered task; resolves to its id. Throws InputError on bad input. */
  enqueue(task: string, args?: unknown, options?: EnqueueOptions): Promise<number>;
  /** Enqueues many jobs in one transaction (all or none); resolves to their ids in order. */
  enqueueMany(jobs: EnqueueInput[]): Promise<number[]>;
  /** A job and its outcome by id, or null. */
  getJob(id: number): Promise<JobInfo | null>;
  /** Every job of a group with its outcome (Django-Q's result_group). */
  getGroupResults(group: string): Promise<JobInfo[]>;
}

function bind(db: () => Db): Queue {
  return {
    enqueue: async (task, args, options) => enqueueJob(db(), task, args, options),
    enqueueMany: async (jobs) => enqueueJobs(db(), jobs),
    getJob: async (id) => readJob(db(), id),
    getGroupResults: async (group) => readGroup(db(), group),
  };
}

/** The library bound to a database URL (a path or `file:` URL). */
export function connect(url: string): Queue {
  return bind(() => getDb(url));
}

const defaultQueue = bind(() => getDb());

/** Enqueues a job on the default database; see Queue.enqueue. */
export const enqueue = defaultQueue.enqueue;
/** Enqueues many jobs on the default database; see Queue.enqueueMany. */
export const enqueueMany = defaultQueue.enqueueMany;
/** Reads a job from the default database; see Queue.getJob. */
export const getJob = defaultQueue.getJob;
/** Reads a group's jobs from the default database; see Queue.getGroupResults. */
export const getGroupResults = defaultQueue.getGroupResults;
