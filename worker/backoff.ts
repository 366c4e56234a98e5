/**
 * Retry delay as a pure function of the attempt that just failed: exponential (base * 2^(n-1)),
 * capped, with ±25 % jitter so that a burst of failures does not retry in lockstep.
 */
export interface BackoffOptions {
  /** Delay after the first failed attempt, ms (default 1000). */
  baseMs: number;
  /** Largest delay, ms (default 1 hour). */
  maxMs: number;
}

/** The default backoff: 1 s, 2 s, 4 s, … up to 1 h, each ±25 %. */
export const DEFAULT_BACKOFF: BackoffOptions = { baseMs: 1000, maxMs: 3_600_000 };

/** Milliseconds to wait before retrying after failed attempt `attempt` (1-based). */
export function backoffDelay(
  attempt: number,
  options = DEFAULT_BACKOFF,
  random = Math.random,
): number {
  const exp = Math.min(options.maxMs, options.baseMs * 2 ** Math.max(0, attempt - 1));
  const jitter = 0.75 + random() * 0.5;
  return Math.round(Math.min(options.maxMs, exp * jitter));
}
