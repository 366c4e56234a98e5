import { describe, expect, it } from "vitest";
import { backoffDelay, DEFAULT_RETRY_POLICY, retryAt } from "./retry-policy";

const failed = { attempts: 1, maxAttempts: 3, isPermanent: false, isCancelled: false };

describe("the retry policy", () => {
  it("doubles the delay per attempt within ±25 % and caps it at an hour", () => {
    for (let attempt = 1; attempt <= 30; attempt++) {
      const exact = Math.min(3_600_000, 1000 * 2 ** (attempt - 1));
      expect(backoffDelay(attempt, DEFAULT_RETRY_POLICY, () => 0)).toBe(
        Math.round(Math.min(3_600_000, exact * 0.75)),
      );
      expect(backoffDelay(attempt, DEFAULT_RETRY_POLICY, () => 0.999999)).toBeLessThanOrEqual(
        3_600_000,
      );
    }
    expect(backoffDelay(3, DEFAULT_RETRY_POLICY, () => 0.5)).toBe(4000);
  });

  it("retries until the last allowed attempt, after the backoff", () => {
    expect(retryAt(failed, 10_000, DEFAULT_RETRY_POLICY, () => 0.5)).toBe(11_000);
    expect(retryAt({ ...failed, attempts: 2 }, 10_000, DEFAULT_RETRY_POLICY, () => 0.5)).toBe(
      12_000,
    );
    expect(retryAt({ ...failed, attempts: 3 }, 10_000)).toBeNull();
  });

  it("never retries a permanent error or a cancelled job", () => {
    expect(retryAt({ ...failed, isPermanent: true }, 0)).toBeNull();
    expect(retryAt({ ...failed, isCancelled: true }, 0)).toBeNull();
  });

  it("takes the worker's base delay", () => {
    const policy = { ...DEFAULT_RETRY_POLICY, baseMs: 0 };
    expect(retryAt(failed, 5_000, policy, () => 0.5)).toBe(5_000);
  });
});
