/** The queue commands of `npm run jobdeck`, run as a user would (a real process on a real file). */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { testRows } from "@/db/testing/dash-rows";
import { makeTestDb, runJobdeck } from "@/worker/testing/harness";

let testDb: ReturnType<typeof makeTestDb>;
let url: string;
beforeAll(() => {
  testDb = makeTestDb("jobdeck-cli-");
  ({ url } = testDb);
});
afterAll(() => {
  testRows(url).close();
  testDb.cleanup();
});
const rows = () => testRows(url);

const jobdeck = (...args: string[]) => runJobdeck(url, ...args);
const queued = () => rows().count("jobs");

describe("jobdeck enqueue", () => {
  it("prints the new job's id and stores every option", () => {
    const r = jobdeck(
      "enqueue",
      "demo.echo",
      "--args",
      '{"to":"ann"}',
      "--queue",
      "mail",
      "--priority",
      "5",
      "--delay",
      "30",
      "--group",
      "g",
      "--timeout",
      "9",
      "--max-attempts",
      "4",
    );
    expect(r.code).toBe(0);
    const id = Number(r.stdout.trim());
    expect(rows().row("jobs", { id })).toMatchObject({
      task: "demo.echo",
      args: '{"to":"ann"}',
      queue: "mail",
      priority: 5,
      group_name: "g",
      timeout_ms: 9000,
      max_attempts: 4,
    });
  });

  it("reads a negative number after an option as its value", () => {
    const r = jobdeck("enqueue", "demo.echo", "--priority", "-5", "--delay", "0.5");
    expect(r.code).toBe(0);
    const id = Number(r.stdout.trim());
    expect(rows().row("jobs", { id })?.priority).toBe(-5);
  });

  it("enqueues N copies with --count and prints the count", () => {
    const before = queued();
    const r = jobdeck("enqueue", "demo.noop", "--count", "250");
    expect(r).toMatchObject({ code: 0, stdout: "250\n" });
    expect(queued()).toBe(before + 250);
  });

  it.each([
    [["enqueue", "emails.nope"], /Unknown task "emails.nope"/],
    [["enqueue", "demo.echo", "--args", "{bad json"], /--args is not valid JSON/],
    [["enqueue", "demo.echo", "--delay=-5"], /--delay must be between 0 and 315360000 seconds/],
    [["enqueue", "demo.echo", "--delay", "-5"], /--delay must be between 0 and 315360000 seconds/],
    [["enqueue", "demo.echo", "--delay", "1e20"], /--delay must be a plain decimal number/],
    [["enqueue", "demo.echo", "--delay", "0x10"], /--delay must be a plain decimal number/],
    [["enqueue", "demo.echo", "--delay", ""], /--delay must be a plain decimal number/],
    [["enqueue", "demo.echo", "--delay", "NaN"], /--delay must be a plain decimal number/],
    [["enqueue", "demo.echo", "--delay", "5s"], /--delay must be a plain decimal number/],
    [["enqueue", "demo.echo", "--delay", "400000000"], /--delay must be between 0 and/],
    [
      ["enqueue", "demo.echo", "--priority", "1" + "0".repeat(30)],
      /--priority must be a whole number between -1000000 and 1000000/,
    ],
    [
      ["enqueue", "demo.echo", "--timeout", "9999999"],
      /--timeout must be between 0.001 and 2073600 seconds/,
    ],
    [
      ["enqueue", "demo.echo", "--max-attempts", "0"],
      /--max-attempts must be a whole number between 1 and 1000/,
    ],
    [
      ["enqueue", "demo.echo", "--count", "2.5"],
      /--count must be a whole number between 1 and 1000000/,
    ],
    [
      ["enqueue", "demo.echo", "--count", "-3"],
      /--count must be a whole number between 1 and 1000000/,
    ],
    [["enqueue"], /enqueue needs a task name/],
    [["enqueue", "demo.echo", "--bogus"], /Unknown option '--bogus'/],
    [["frobnicate"], /Unknown command "frobnicate"/],
  ])("refuses %j with exit code 2 and writes nothing", (args, message) => {
    const before = queued();
    const r = jobdeck(...args);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(message);
    expect(queued()).toBe(before);
  });
});

describe("jobdeck stats and retry-failed", () => {
  it("prints the numbers as one JSON object, then retries failures once", () => {
    for (const [id, task] of [
      [50000, "demo.fail"],
      [50001, "demo.echo"],
    ] as const) {
      rows().insert("results", {
        id,
        task,
        args: "{}",
        queue: "default",
        priority: 0,
        state: "failure",
        error: "boom",
        created_at: 1,
        stopped_at: 2,
        attempts: 3,
      });
    }
    const stats = JSON.parse(jobdeck("stats", "--json").stdout) as Record<string, number>;
    for (const key of ["queued", "running", "success", "failure", "schedules"])
      expect(typeof stats[key]).toBe("number");
    expect(stats.failure).toBe(2);
    expect(jobdeck("retry-failed", "--task", "demo.fail").stdout).toMatch(/retried 1 failed job$/m);
    expect(jobdeck("retry-failed").stdout).toMatch(/retried 1 failed job$/m);
    expect(jobdeck("retry-failed").stdout).toMatch(/retried 0 failed jobs/);
    expect(rows().count("jobs", { retry_of: [50000, 50001] })).toBe(2);
  });

  it("retry-failed gives each new job every setting of the failed one", () => {
    rows().insert("results", {
      id: 50100,
      name: "nightly",
      task: "demo.sleep",
      args: '{"ms":5000}',
      queue: "reports",
      priority: 3,
      state: "failure",
      group_name: "g7",
      error: "Timed out after 2 s",
      created_at: 1,
      stopped_at: 2,
      attempts: 1,
      max_attempts: 1,
      timeout_ms: 2000,
      hook: "demo.noop",
    });
    expect(jobdeck("retry-failed", "--task", "demo.sleep").stdout).toMatch(
      /retried 1 failed job$/m,
    );
    expect(rows().row("jobs", { retry_of: 50100 })).toMatchObject({
      name: "nightly",
      task: "demo.sleep",
      args: '{"ms":5000}',
      queue: "reports",
      priority: 3,
      group_name: "g7",
      max_attempts: 1,
      timeout_ms: 2000,
      hook: "demo.noop",
    });
    const newJob = rows().row("jobs", { retry_of: 50100 })?.id;
    const entry = rows().rows("audit_log", { action: "failures.retry" }).at(-1)?.after as string;
    expect(JSON.parse(entry)).toEqual({
      count: 1,
      failureIds: "50100",
      jobIds: String(newJob),
    });
  });

  it("answers --help for every command", () => {
    for (const command of [
      "enqueue",
      "stats",
      "retry-failed",
      "prune",
      "tasks",
      "migrate",
      "seed",
      "schedule",
      "admin",
      "token",
    ]) {
      const r = jobdeck(command, "--help");
      expect(r.code, command).toBe(0);
      expect(r.stdout, command).toMatch(/Usage: npm run jobdeck/);
    }
  });
});

describe("stored values out of range", () => {
  it("are listed as an invalid date instead of crashing the command", () => {
    expect(
      jobdeck("schedule", "add", "--name", "far", "--task", "demo.echo", "--type", "hourly").code,
    ).toBe(0);
    rows().update("schedules", { name: "far" }, { next_run_at: 1e23 });
    const r = jobdeck("schedule", "list");
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/next invalid date/);
  });
});
