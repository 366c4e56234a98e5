/**
 * The retry policy, in one place: whether a failed attempt is retried, and after how long.
 * Exponential backoff (base * 2^(n-1)), capped, with ±25 % jitter so that a burst of failures does
 * not retry in lockstep. A PermanentError, a cancel, or the last allowed attempt ends the job.
 * The number of attempts a job gets is per job (`maxAttempts`, default DEFAULT_MAX_ATTEMPTS in
 * db/queries/enqueue.ts); the base delay is the worker's `--backoff`.
 */
export interface RetryPolicy {
  /** Delay after the first failed attempt, ms (default 1000, the worker's --backoff). */
  baseMs: number;
  /** Largest delay, ms (default 1 hour). */
  maxMs: number;
  /** Spread of each delay: ±jitter as a fraction (default 0.25). */
  jitter: number;
}

/** The default policy: 1 s, 2 s, 4 s, … up to 1 h, each ±25 %. */
export const DEFAULT_RETRY_POLICY: RetryPolicy = { baseMs: 1000, maxMs: 3_600_000, jitter: 0.25 };

/** Milliseconds to wait before retrying after failed attempt `attempt` (1-based). */
export function backoffDelay(
  attempt: number,
  policy: RetryPolicy = DEFAULT_RETRY_POLICY,
  random = Math.random,
): number {
  const exp = Math.min(policy.maxMs, policy.baseMs * 2 ** Math.max(0, attempt - 1));
  const factor = 1 - policy.jitter + random() * 2 * policy.jitter;
  return Math.round(Math.min(policy.maxMs, exp * factor));
}

/** What is known about a failed attempt when deciding its retry. */
export interface FailedAttempt {
  /** Attempts used so far, this one included. */
  attempts: number;
  maxAttempts: number;
  /** The task threw a PermanentError (no retries). */
  isPermanent: boolean;
  /** The job was cancelled on request. */
  isCancelled: boolean;
}

/** When to run a failed job again (ms since the epoch), or null when it has failed for good. */
export function retryAt(
  failed: FailedAttempt,
  stoppedAt: number,
  policy: RetryPolicy = DEFAULT_RETRY_POLICY,
  random = Math.random,
): number | null {
  if (failed.isCancelled || failed.isPermanent || failed.attempts >= failed.maxAttempts)
    return null;
  return stoppedAt + backoffDelay(failed.attempts, policy, random);
}
