/**
 * How the runner turns what a thread reports into the outcome the store writes, and what it logs
 * once an outcome is written. The retry decision itself is worker/retry-policy.ts's.
 */
import { maskSecretText } from "@/db/mask-secrets";
import type { ClaimedJob, Outcome } from "@/db/store/worker";
import type { Execution } from "./executor";
import type { Logger } from "./log";
import { retryAt, type RetryPolicy } from "./retry-policy";

/** The outcome of one run of `job` that ended with `e`. */
export function outcomeOf(
  job: ClaimedJob,
  e: Execution,
  run: { startedAt: number; stoppedAt: number; isCancelRequested: boolean },
  policy: RetryPolicy,
): Outcome {
  const { startedAt, stoppedAt } = run;
  if (e.ok) return { kind: "success", job, startedAt, stoppedAt, result: e.result };
  const isCancelled = e.kind === "cancelled" && run.isCancelRequested;
  const prefix =
    e.error.name && e.error.name !== "Error" && e.kind === "error" ? `${e.error.name}: ` : "";
  return {
    kind: "error",
    job,
    startedAt,
    stoppedAt,
    error: isCancelled ? `Cancelled on request: ${e.error.message}` : `${prefix}${e.error.message}`,
    stack: e.error.stack,
    attemptOutcome: isCancelled ? "cancelled" : e.kind === "timeout" ? "timeout" : "error",
    retryAt: retryAt(
      {
        attempts: job.attempts,
        maxAttempts: job.maxAttempts,
        isPermanent: e.error.isPermanent,
        isCancelled,
      },
      stoppedAt,
      policy,
    ),
  };
}

/** A claimed job that never started was cancelled: it fails for good, as cancelled. */
export function cancelledBeforeStart(job: ClaimedJob, now = Date.now()): Outcome {
  return {
    kind: "error",
    job,
    startedAt: now,
    stoppedAt: now,
    error: "Cancelled on request before it started",
    stack: null,
    attemptOutcome: "cancelled",
    retryAt: null,
  };
}

/** Logs a written outcome (successes are not logged): retrying, failed, or its lease lost. */
export function logWritten(log: Logger, o: Outcome, isLost: boolean): void {
  const event = isLost
    ? "job:lease-lost"
    : o.kind === "success"
      ? null
      : o.retryAt === null
        ? "job:failed"
        : "job:retrying";
  if (event === null) return;
  log(event, {
    jobId: o.job.id,
    task: o.job.task,
    attempt: o.job.attempts,
    durationMs: o.stoppedAt - (o.startedAt ?? o.job.startedAt),
    // Errors carry whatever the task put in them: masked like every other place they show.
    ...(o.kind === "error" ? { error: maskSecretText(o.error) } : {}),
  });
}
