/** Sign-in limits the tests run under (either dialect): the defaults' shape with fixed numbers. */
import type { LoginLimits, SignInCheck } from "../queries/login-attempts";

/** Five guesses per user, twenty per address, turns two seconds apart after five. */
export const TEST_LOGIN_LIMITS: LoginLimits = {
  windowMs: 15 * 60_000,
  maxPerUser: 5,
  maxPerAddress: 20,
  slowAfter: 5,
  spacingMs: 2000,
  maxWaitMs: 10_000,
};

/** No spacing: storms measure the hard limits alone, without waiting for turns. */
export const UNSPACED_LOGIN_LIMITS: LoginLimits = {
  ...TEST_LOGIN_LIMITS,
  spacingMs: 0,
  maxWaitMs: 0,
  slowAfter: 1_000_000,
};

/** How many sign-in checks ended each way (`ok`, or the refusal's reason). */
export function tally(outcomes: SignInCheck[]): Record<string, number> {
  const counts: Record<string, number> = {};
  for (const o of outcomes) {
    const k = o.ok ? "ok" : o.reason;
    counts[k] = (counts[k] ?? 0) + 1;
  }
  return counts;
}
