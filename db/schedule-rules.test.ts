import { describe, expect, it } from "vitest";
import { InputError } from "./errors";
import {
  describeSchedule,
  nextFireTimes,
  parseSchedule,
  previewSchedule,
  validateSchedule,
  type ScheduleTiming,
} from "./schedule-rules";

const at = (iso: string) => Date.parse(iso);
const iso = (list: number[]) => list.map((ms) => new Date(ms).toISOString());

function times(timing: ScheduleTiming, from: string | number, k: number): string[] {
  return iso(nextFireTimes(timing, typeof from === "string" ? at(from) : from, k));
}

/**
 * One row per rule and moment: the timing, where the listing starts (default: the anchor), and
 * the runs it must list (as many as asked for, `count`, default: all of them), in UTC.
 */
const FIRE_TIMES: {
  name: string;
  timing: ScheduleTiming;
  from?: string;
  count?: number;
  runs: string[];
}[] = [
  {
    name: "a once schedule fires at its time",
    timing: { scheduleType: "once", anchorAt: at("2026-03-01T10:00Z") },
    from: "2026-01-01T00:00Z",
    count: 3,
    runs: ["2026-03-01T10:00Z"],
  },
  {
    name: "a once schedule never fires after its time",
    timing: { scheduleType: "once", anchorAt: at("2026-03-01T10:00Z") },
    from: "2026-03-01T10:00:00.001Z",
    count: 3,
    runs: [],
  },
  {
    name: "every N minutes steps from the anchor in absolute time",
    timing: { scheduleType: "minutes", minutes: 15, anchorAt: at("2026-01-01T00:00Z") },
    from: "2026-01-01T00:20Z",
    runs: ["2026-01-01T00:30Z", "2026-01-01T00:45Z", "2026-01-01T01:00Z"],
  },
  {
    name: "every N minutes includes a run equal to the start",
    timing: { scheduleType: "minutes", minutes: 15, anchorAt: at("2026-01-01T00:00Z") },
    from: "2026-01-01T00:30Z",
    runs: ["2026-01-01T00:30Z"],
  },
  {
    name: "hourly stays 60 minutes apart across a DST change",
    timing: {
      scheduleType: "hourly",
      timezone: "Europe/Berlin",
      anchorAt: at("2026-03-29T00:30Z"),
    },
    from: "2026-03-29T00:00Z",
    runs: ["2026-03-29T00:30Z", "2026-03-29T01:30Z", "2026-03-29T02:30Z"],
  },
  {
    name: "daily 06:00 Europe/Berlin stays at 06:00 local across the spring change",
    timing: { scheduleType: "daily", timezone: "Europe/Berlin", anchorAt: at("2026-03-27T05:00Z") },
    runs: ["2026-03-27T05:00Z", "2026-03-28T05:00Z", "2026-03-29T04:00Z", "2026-03-30T04:00Z"],
  },
  {
    name: "daily 06:00 Europe/Berlin stays at 06:00 local across the autumn change",
    timing: { scheduleType: "daily", timezone: "Europe/Berlin", anchorAt: at("2026-10-23T04:00Z") },
    runs: ["2026-10-23T04:00Z", "2026-10-24T04:00Z", "2026-10-25T05:00Z", "2026-10-26T05:00Z"],
  },
  {
    name: "daily 02:30 Europe/Berlin moves forward by the spring gap",
    timing: { scheduleType: "daily", timezone: "Europe/Berlin", anchorAt: at("2026-03-28T01:30Z") },
    runs: [
      "2026-03-28T01:30Z",
      "2026-03-29T01:30Z", // 03:30 CEST: 02:30 does not exist
      "2026-03-30T00:30Z", // back to 02:30 CEST
    ],
  },
  {
    name: "daily 02:30 Europe/Berlin fires a repeated 02:30 once, the first",
    timing: { scheduleType: "daily", timezone: "Europe/Berlin", anchorAt: at("2026-10-24T00:30Z") },
    runs: [
      "2026-10-24T00:30Z",
      "2026-10-25T00:30Z", // 02:30 CEST, the first of the two 02:30s
      "2026-10-26T01:30Z",
    ],
  },
  {
    name: "daily America/New_York keeps its wall-clock time across the spring change",
    timing: {
      scheduleType: "daily",
      timezone: "America/New_York",
      anchorAt: at("2026-03-07T11:00Z"),
    },
    runs: ["2026-03-07T11:00Z", "2026-03-08T10:00Z", "2026-03-09T10:00Z"],
  },
  {
    name: "daily America/New_York moves forward by the spring gap",
    timing: {
      scheduleType: "daily",
      timezone: "America/New_York",
      anchorAt: at("2026-03-07T07:30Z"),
    },
    runs: [
      "2026-03-07T07:30Z",
      "2026-03-08T07:30Z", // 03:30 EDT: 02:30 does not exist
      "2026-03-09T06:30Z",
    ],
  },
  {
    name: "daily America/New_York fires a repeated 01:30 once, the first",
    timing: {
      scheduleType: "daily",
      timezone: "America/New_York",
      anchorAt: at("2026-10-31T05:30Z"),
    },
    runs: [
      "2026-10-31T05:30Z",
      "2026-11-01T05:30Z", // 01:30 EDT, the first of the two 01:30s
      "2026-11-02T06:30Z",
    ],
  },
  {
    name: "cron in Europe/Berlin follows croner's rule in the spring gap",
    timing: { scheduleType: "cron", cron: "30 2 * * *", timezone: "Europe/Berlin", anchorAt: 0 },
    from: "2026-03-28T00:00Z",
    runs: [
      "2026-03-28T01:30Z",
      "2026-03-29T01:00Z", // first valid time after the gap, 03:00 CEST
      "2026-03-30T00:30Z",
    ],
  },
  {
    name: "cron in Europe/Berlin follows croner's rule in the repeated hour",
    timing: { scheduleType: "cron", cron: "30 2 * * *", timezone: "Europe/Berlin", anchorAt: 0 },
    from: "2026-10-24T00:00Z",
    runs: ["2026-10-24T00:30Z", "2026-10-25T00:30Z", "2026-10-26T01:30Z"],
  },
  {
    name: "cron in America/New_York follows the spring change",
    timing: { scheduleType: "cron", cron: "0 8 * * 1", timezone: "America/New_York", anchorAt: 0 },
    from: "2026-03-01T00:00Z",
    runs: ["2026-03-02T13:00Z", "2026-03-09T12:00Z"],
  },
  {
    name: "cron in America/New_York follows the autumn change",
    timing: { scheduleType: "cron", cron: "0 8 * * 1", timezone: "America/New_York", anchorAt: 0 },
    from: "2026-10-26T00:00Z",
    runs: ["2026-10-26T12:00Z", "2026-11-02T13:00Z"],
  },
  {
    name: "cron includes a time equal to the start and starts no earlier than the anchor",
    timing: { scheduleType: "cron", cron: "* * * * *", anchorAt: at("2026-01-01T00:05Z") },
    from: "2026-01-01T00:00Z",
    runs: ["2026-01-01T00:05Z", "2026-01-01T00:06Z"],
  },
  {
    name: "weekly Monday 08:00 Europe/London keeps its time across the clock change",
    timing: {
      scheduleType: "weekly",
      timezone: "Europe/London",
      anchorAt: at("2026-03-23T08:00Z"),
    },
    runs: ["2026-03-23T08:00Z", "2026-03-30T07:00Z"],
  },
  {
    name: "biweekly steps by 14 days",
    timing: { scheduleType: "biweekly", anchorAt: at("2026-01-05T08:00Z") },
    from: "2026-01-06T00:00Z",
    runs: ["2026-01-19T08:00Z", "2026-02-02T08:00Z"],
  },
  {
    name: "monthly from Jan 31 clamps to the month end and returns to the 31st",
    timing: { scheduleType: "monthly", anchorAt: at("2026-01-31T08:00Z") },
    runs: ["2026-01-31T08:00Z", "2026-02-28T08:00Z", "2026-03-31T08:00Z", "2026-04-30T08:00Z"],
  },
  {
    name: "monthly from Jan 31 clamps in later months too",
    timing: { scheduleType: "monthly", anchorAt: at("2026-01-31T08:00Z") },
    from: "2026-06-01T00:00Z",
    runs: ["2026-06-30T08:00Z", "2026-07-31T08:00Z"],
  },
  {
    name: "monthly from Jan 31 runs on Feb 29 in a leap year",
    timing: { scheduleType: "monthly", anchorAt: at("2028-01-31T08:00Z") },
    from: "2028-02-01T00:00Z",
    runs: ["2028-02-29T08:00Z"],
  },
  {
    name: "bimonthly steps by calendar months with the month-end clamp",
    timing: { scheduleType: "bimonthly", anchorAt: at("2025-12-31T12:00Z") },
    from: "2026-01-01T00:00Z",
    runs: ["2026-02-28T12:00Z", "2026-04-30T12:00Z", "2026-06-30T12:00Z"],
  },
  {
    name: "quarterly steps by calendar months with the month-end clamp",
    timing: { scheduleType: "quarterly", anchorAt: at("2025-11-30T12:00Z") },
    from: "2025-12-01T00:00Z",
    runs: ["2026-02-28T12:00Z", "2026-05-30T12:00Z", "2026-08-30T12:00Z"],
  },
  {
    name: "yearly Feb 29 runs on Feb 28 in common years and Feb 29 in leap years",
    timing: { scheduleType: "yearly", anchorAt: at("2024-02-29T09:00Z") },
    from: "2024-03-01T00:00Z",
    runs: ["2025-02-28T09:00Z", "2026-02-28T09:00Z", "2027-02-28T09:00Z", "2028-02-29T09:00Z"],
  },
];

describe("nextFireTimes", () => {
  it.each(FIRE_TIMES)("$name", ({ timing, from, count, runs }) => {
    expect(times(timing, from ?? timing.anchorAt, count ?? runs.length)).toEqual(iso(runs.map(at)));
  });

  it.each(["daily", "weekly"] as const)(
    "starts a %s schedule at its first run on the second pass of a repeated hour",
    (scheduleType) => {
      // 2026-11-01 01:30 America/New_York at -05:00 (EST), the second 01:30 of that night.
      const t: ScheduleTiming = {
        scheduleType,
        timezone: "America/New_York",
        anchorAt: at("2026-11-01T06:30:00Z"),
      };
      const later =
        scheduleType === "daily" ? "2026-11-02T06:30:00.000Z" : "2026-11-08T06:30:00.000Z";
      expect(times(t, t.anchorAt, 2)).toEqual(["2026-11-01T06:30:00.000Z", later]);
      // Listed from an earlier instant (even the first pass of 01:30), nothing comes before it.
      expect(times(t, "2026-10-31T00:00:00Z", 2)).toEqual(["2026-11-01T06:30:00.000Z", later]);
      expect(times(t, "2026-11-01T05:30:00Z", 1)).toEqual(["2026-11-01T06:30:00.000Z"]);
    },
  );
});

describe("describeSchedule", () => {
  it("describes each kind of rule in words with its timezone", () => {
    const monday = at("2026-03-23T08:00:00Z");
    expect(
      describeSchedule({ scheduleType: "weekly", timezone: "Europe/London", anchorAt: monday }),
    ).toBe("At 08:00 on Monday, Europe/London");
    expect(describeSchedule({ scheduleType: "cron", cron: "0 8 * * 1", timezone: "UTC" })).toBe(
      "At 08:00, only on Monday, UTC",
    );
    expect(describeSchedule({ scheduleType: "minutes", minutes: 5 })).toBe("Every 5 minutes, UTC");
    expect(
      describeSchedule({
        scheduleType: "daily",
        timezone: "Europe/Berlin",
        anchorAt: at("2026-03-27T05:00:00Z"),
      }),
    ).toBe("At 06:00 every day, Europe/Berlin");
    expect(
      describeSchedule({ scheduleType: "monthly", anchorAt: at("2026-01-31T08:00:00Z") }),
    ).toBe("At 08:00 on day 31 of every month (or the month's last day), UTC");
    expect(describeSchedule({ scheduleType: "cron", cron: "nope" })).toMatch(/^Invalid schedule/);
  });
});

describe("validateSchedule", () => {
  const good = { name: "digest", task: "demo.echo", scheduleType: "daily" };

  it("fills defaults and normalises the arguments", () => {
    const r = validateSchedule({ ...good, args: ' { "a" : 1 } ', minutes: 5 });
    expect(r).toEqual({
      ok: true,
      value: {
        ...good,
        args: '{"a":1}',
        minutes: null,
        cron: null,
        timezone: "UTC",
        repeats: -1,
        nextRunAt: null,
        isEnabled: true,
        queue: "default",
        priority: 0,
        catchUp: "once",
      },
    });
  });

  it.each([
    [{ ...good, scheduleType: "cron", cron: "61 * * * *" }, "cron"],
    [{ ...good, scheduleType: "cron", cron: "* * * * * *" }, "cron"],
    [{ ...good, scheduleType: "cron" }, "cron"],
    [{ ...good, timezone: "Mars/Olympus" }, "timezone"],
    [{ ...good, scheduleType: "minutes", minutes: 0 }, "minutes"],
    [{ ...good, scheduleType: "minutes" }, "minutes"],
    [{ ...good, args: "{not json" }, "args"],
    [{ ...good, args: '{"__proto__":1}' }, "args"],
    [{ ...good, name: "" }, "name"],
    [{ ...good, task: undefined }, "task"],
    [{ ...good, scheduleType: "fortnightly" }, "scheduleType"],
    [{ ...good, repeats: -2 }, "repeats"],
    [{ ...good, catchUp: "some" }, "catchUp"],
    [{ ...good, priority: 1.5 }, "priority"],
  ])("rejects %j naming the field %s", (input, field) => {
    const r = validateSchedule(input);
    expect(r.ok).toBe(false);
    if (!r.ok) expect(Object.keys(r.fieldErrors)).toContain(field);
    expect(() => parseSchedule(input)).toThrow(InputError);
  });

  it("words every field's message with the form's label, never an internal name", () => {
    const r = validateSchedule({
      name: "",
      task: "",
      args: "{x",
      scheduleType: "minutes",
      minutes: 0,
      timezone: "Mars/Olympus",
      repeats: -2,
      nextRunAt: -1,
      isEnabled: "yes",
      queue: "",
      priority: 1.5,
      catchUp: "some",
    });
    expect(r.ok).toBe(false);
    if (r.ok) return;
    const internal =
      /\b(args|scheduleType|nextRunAt|isEnabled|catchUp|CronPattern)\b|^(name|task|minutes|cron|timezone|repeats|queue|priority)\b/;
    for (const [field, message] of Object.entries(r.fieldErrors))
      expect(message, field).not.toMatch(internal);
    expect(r.fieldErrors).toMatchObject({
      name: "Name is required",
      minutes: "Minutes must be a whole number between 1 and 527040, got 0",
      nextRunAt: "Next run must be a time between 1970-01-01 and 9999-12-31",
      catchUp: "Missed runs must be one of once, all",
    });
    const args = validateSchedule({ name: "n", task: "t", scheduleType: "daily", args: "{x" });
    expect(args).toMatchObject({
      fieldErrors: { args: expect.stringMatching(/^Arguments are not valid JSON/) },
    });
    const type = validateSchedule({ name: "n", task: "t", scheduleType: "fortnightly" });
    expect(type).toMatchObject({
      fieldErrors: { scheduleType: expect.stringMatching(/^Schedule type must be one of/) },
    });
    const cron = validateSchedule({
      name: "n",
      task: "t",
      scheduleType: "cron",
      cron: "* * 32 * *",
    });
    expect(cron).toMatchObject({
      fieldErrors: { cron: 'Cron day of month "32" is out of range: allowed 1-31' },
    });
  });

  it("throws an InputError whose field names the input", () => {
    try {
      parseSchedule({ ...good, timezone: "Nowhere/Town" });
      expect.unreachable();
    } catch (error) {
      expect((error as InputError).field).toBe("timezone");
      expect((error as InputError).message).toContain("Nowhere/Town");
    }
  });
});

describe("previewSchedule", () => {
  it("shows the rule and the next runs without a name or task", () => {
    const preview = previewSchedule(
      { scheduleType: "daily", timezone: "Europe/Berlin", nextRunAt: at("2026-03-28T05:00:00Z") },
      at("2026-03-01T00:00:00Z"),
      2,
    );
    expect(preview).toEqual({
      ok: true,
      description: "At 06:00 every day, Europe/Berlin",
      nextRuns: [at("2026-03-28T05:00:00Z"), at("2026-03-29T04:00:00Z")],
    });
  });

  it("returns the timing field's error", () => {
    expect(previewSchedule({ scheduleType: "cron", cron: "x" }, 0)).toMatchObject({
      ok: false,
      fieldErrors: { cron: expect.stringContaining("Cron needs 5 fields") },
    });
  });
});
