import { describe, expect, it } from "vitest";
import { cronProblem } from "./schedule-rules-cron";
import { validateSchedule } from "./schedule-rules";

describe("cronProblem", () => {
  it.each([
    ["* * 32 * *", 'Cron day of month "32" is out of range: allowed 1-31'],
    ["* * 0 * *", 'Cron day of month "0" is out of range: allowed 1-31'],
    ["* * * 13 *", 'Cron month "13" is out of range: allowed 1-12 or jan-dec'],
    ["60 * * * *", 'Cron minute "60" is out of range: allowed 0-59'],
    ["1-70 * * * *", 'Cron minute "70" is out of range: allowed 0-59'],
    ["* 24 * * *", 'Cron hour "24" is out of range: allowed 0-23'],
    [
      "* * * * 8",
      'Cron day of week "8" is out of range: allowed 0-7 (0 and 7 are Sunday) or sun-sat',
    ],
    ["*/0 * * * *", 'Cron minute step "/0" must be a whole number of at least 1'],
    ["5-2 * * * *", 'Cron minute range "5-2" runs backwards: write the smaller value first'],
  ])("names the field, the value typed and the allowed range for %s", (cron, message) => {
    expect(cronProblem(cron)).toBe(message);
  });

  it("counts the fields and words croner's other refusals in the form's terms", () => {
    expect(cronProblem("61 25 * *")).toMatch(/^Cron needs 5 fields .*got 4/);
    expect(cronProblem("* * * * * *")).toMatch(/^Cron needs 5 fields .*got 6/);
    expect(cronProblem("")).toMatch(/^Cron is required/);
    const x = cronProblem("x * * * *");
    expect(x).toMatch(/^Cron minute "x" is not valid: use numbers in 0-59/);
    for (const cron of ["x * * * *", "* * * jan-foo *", "61 * * * *"])
      expect(cronProblem(cron)).not.toMatch(/CronPattern|dayOfWeek|configuration entry/);
  });

  it.each(["0 0 31 2 *", "0 0 30 2 *", "0 0 31 4,6,9,11 *"])(
    "refuses %s, which can never fire",
    (cron) => {
      expect(cronProblem(cron)).toBe(
        `Cron "${cron}" never runs: no month has that day; check day of month and month`,
      );
      const r = validateSchedule({ name: "n", task: "t", scheduleType: "cron", cron });
      expect(r).toMatchObject({
        ok: false,
        fieldErrors: { cron: expect.stringContaining("never runs") },
      });
    },
  );

  it.each([
    "0 0 29 2 *",
    "0 0 31 2 1",
    "0 0 L 2 *",
    "0 0 * * 5#5",
    "0 8 * jan-mar mon-fri",
    "*/15 9-17 * * 1-5",
  ])("accepts %s", (cron) => {
    expect(cronProblem(cron)).toBeNull();
  });
});
