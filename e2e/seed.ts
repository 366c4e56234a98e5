/** Seeding helpers of the dashboard specs: jobs through the library, failures by cancelling. */
import type { EnqueueOptions } from "@/db/queries/enqueue";
import { seedCancel, seedJob } from "@/db/testing/dash-seed";

/** Enqueues a job through the library; returns its id. */
export function enqueue(task: string, args: unknown, options: EnqueueOptions = {}): number {
  return seedJob(task, args, options);
}

/**
 * Records a failure of `demo.echo` that succeeds when retried: enqueued far in the future, then
 * cancelled (a cancelled job is a failure "Cancelled by <actor>").
 */
export function seedRetryableFailure(options: EnqueueOptions = {}): number {
  const id = enqueue(
    "demo.echo",
    { seeded: true, name: options.name ?? null },
    { ...options, delay: 3600 },
  );
  if (!seedCancel(id, "e2e-seed")) throw new Error(`could not cancel job ${id}`);
  return id;
}
