import { describe, expect, it } from "vitest";
import { NUMBER_RANGES, rangeProblem, textProblem } from "./limits";
import { validateSchedule } from "./schedule-rules";

describe("number ranges", () => {
  it("accepts both ends of a range and refuses what lies outside, NaN and infinities", () => {
    const { delay, priority } = NUMBER_RANGES;
    expect(rangeProblem(0, delay)).toBeNull();
    expect(rangeProblem(delay.max, delay)).toBeNull();
    expect(rangeProblem(delay.max + 1, delay)).toBe("must be between 0 and 315360000 seconds");
    expect(rangeProblem(-0.5, delay)).not.toBeNull();
    expect(rangeProblem(Number.NaN, delay)).not.toBeNull();
    expect(rangeProblem(Number.POSITIVE_INFINITY, delay)).not.toBeNull();
    expect(rangeProblem("5", delay)).not.toBeNull();
    expect(rangeProblem(1.5, priority)).toBe("must be a whole number between -1000000 and 1000000");
  });

  it("keeps every time a caller can set inside what a Date can show", () => {
    const latest = Date.now() + NUMBER_RANGES.delay.max * 1000;
    expect(new Date(latest).toISOString()).toMatch(/^\d{4}-/);
    expect(new Date(NUMBER_RANGES.runAt.max).toISOString()).toBe("9999-12-31T23:59:59.999Z");
  });
});

describe("text that cannot be stored", () => {
  it("finds a NUL and a lone surrogate of either half, and passes paired surrogates", () => {
    expect(textProblem("a\u0000b")).toMatch(/NUL character \(U\+0000\)/);
    expect(textProblem("a\uD800")).toMatch(/lone surrogate \(U\+D800\)/);
    expect(textProblem("\uDFFFa")).toMatch(/lone surrogate \(U\+DFFF\)/);
    expect(textProblem("rocket \uD83D\uDE80, café, 東京")).toBeNull();
  });

  it("is refused by a schedule's names and bounds a schedule's numbers", () => {
    const base = { name: "s", task: "demo.echo", scheduleType: "hourly" };
    const errors = (input: object) => {
      const result = validateSchedule({ ...base, ...input });
      return result.ok ? {} : result.fieldErrors;
    };
    expect(errors({ name: "bad\u0000name" }).name).toMatch(/Name must not contain a NUL/);
    expect(errors({ queue: "q\uDBFF" }).queue).toMatch(/Queue must not contain a lone surrogate/);
    expect(errors({ priority: 1e308 }).priority).toMatch(
      /Priority must be a whole number between -1000000 and 1000000/,
    );
    expect(errors({ nextRunAt: 1e20 }).nextRunAt).toMatch(
      /Next run must be a time between 1970-01-01 and 9999-12-31/,
    );
    expect(errors({ scheduleType: "minutes", minutes: 1e9 }).minutes).toMatch(/Minutes must be/);
    expect(errors({ repeats: -2 }).repeats).toMatch(/Repeats must be a whole number between -1/);
    expect(validateSchedule(base).ok).toBe(true);
  });
});
