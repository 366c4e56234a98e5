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
import type { EnqueueInput, EnqueueOptions } from "./queries/enqueue";
import type { JobInfo } from "./queries/read";
import type { SchedulePatch, ScheduleView } from "./queries/schedules";
import { getStore, type Store } from "./store";
import type { ScheduleInput } from "./schedule-rules";
import type { ScheduleRow } from "./schema";

export type { EnqueueInput, EnqueueOptions } from "./queries/enqueue";
export type { JobInfo, JobStatus } from "./queries/read";
export type { ScheduleInput } from "./schedule-rules";
export type { SchedulePatch, ScheduleView } from "./queries/schedules";
export { describeSchedule, previewSchedule } from "./schedule-rules";
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
  /** Creates a periodic schedule (see docs/SCHEDULES.md); throws InputError naming the field. */
  createSchedule(input: ScheduleInput): Promise<ScheduleRow>;
  /** Changes a schedule's fields; throws InputError naming the field. */
  updateSchedule(id: number, patch: SchedulePatch): Promise<ScheduleRow>;
  /** Enables or disables a schedule. */
  enableSchedule(id: number, isEnabled: boolean): Promise<void>;
  /** Enqueues one job of the schedule now, without moving its next run; resolves to the job id. */
  runScheduleNow(id: number): Promise<number>;
  /** Deletes a schedule; resolves to whether it existed. */
  deleteSchedule(id: number): Promise<boolean>;
  /** Every schedule with its next and last runs. */
  listSchedules(): Promise<ScheduleView[]>;
}

function bind(store: () => Store): Queue {
  const lib = () => store().library;
  return {
    enqueue: async (task, args, options) => lib().enqueue(task, args, options),
    enqueueMany: async (jobs) => lib().enqueueMany(jobs),
    getJob: async (id) => lib().readJob(id),
    getGroupResults: async (group) => lib().readGroup(group),
    createSchedule: async (input) => lib().createSchedule(input),
    updateSchedule: async (id, patch) => lib().updateSchedule(id, patch),
    enableSchedule: async (id, isEnabled) => void (await lib().setScheduleEnabled(id, isEnabled)),
    runScheduleNow: async (id) => lib().runScheduleNow(id),
    deleteSchedule: async (id) => lib().deleteSchedule(id),
    listSchedules: async () => lib().listSchedules(),
  };
}

/** The library bound to a database URL (a path or `file:` URL). */
export function connect(url: string): Queue {
  return bind(() => getStore(url));
}

const defaultQueue = bind(() => getStore());

/** Enqueues a job on the default database; see Queue.enqueue. */
export const enqueue = defaultQueue.enqueue;
/** Enqueues many jobs on the default database; see Queue.enqueueMany. */
export const enqueueMany = defaultQueue.enqueueMany;
/** Reads a job from the default database; see Queue.getJob. */
export const getJob = defaultQueue.getJob;
/** Reads a group's jobs from the default database; see Queue.getGroupResults. */
export const getGroupResults = defaultQueue.getGroupResults;
/** Schedules on the default database; see Queue. */
export const {
  createSchedule,
  updateSchedule,
  enableSchedule,
  runScheduleNow,
  deleteSchedule,
  listSchedules,
} = defaultQueue;
