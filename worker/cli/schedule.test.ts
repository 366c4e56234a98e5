import { afterAll, beforeAll, expect, it } from "vitest";
import { testRows } from "@/db/testing/dash-rows";
import { makeTestDb, runJobdeck } from "@/worker/testing/harness";

let testDb: ReturnType<typeof makeTestDb>;
let url: string;
beforeAll(() => {
  testDb = makeTestDb("jobdeck-schedule-cli-");
  ({ url } = testDb);
});
afterAll(() => {
  testRows(url).close();
  testDb.cleanup();
});

const jobdeck = (...args: string[]) => runJobdeck(url, ...args);

const count = () => testRows(url).count("schedules");

it("refuses bad input with exit code 2, naming the option, and saves nothing", () => {
  const base = ["schedule", "add", "--name", "x", "--task", "demo.noop"];
  const cases: [string[], string][] = [
    [["--type", "cron", "--cron", "0 25 * * *"], "--cron"],
    [["--type", "daily", "--timezone", "Mars/Base"], "--timezone"],
    [["--type", "minutes", "--minutes", "0"], "--minutes"],
    [["--type", "daily", "--args", "{nope"], "--args"],
  ];
  for (const [extra, option] of cases) {
    const r = jobdeck(...base, ...extra);
    expect(r.code, r.stderr).toBe(2);
    expect(r.stderr).toContain(option);
  }
  expect(
    jobdeck("schedule", "add", "--name", "x", "--task", "no.such", "--type", "daily").stderr,
  ).toContain("--task");
  expect(count()).toBe(0);
});

it("refuses a cron that never fires and words cron mistakes in the form's terms", () => {
  const base = ["schedule", "add", "--name", "never", "--task", "demo.noop", "--type", "cron"];
  const never = jobdeck(...base, "--cron", "0 0 30 2 *");
  expect(never.code, never.stderr).toBe(2);
  expect(never.stderr).toContain('--cron: Cron "0 0 30 2 *" never runs');
  const day = jobdeck(...base, "--cron", "* * 32 * *");
  expect(day.stderr).toContain('--cron: Cron day of month "32" is out of range: allowed 1-31');
  expect(count()).toBe(0);
  const added = jobdeck(...base, "--cron", "0 0 * * *");
  expect(added.code, added.stderr).toBe(0);
  const update = jobdeck("schedule", "update", "never", "--cron", "0 0 31 4,6,9,11 *");
  expect(update.code).toBe(2);
  expect(update.stderr).toContain("never runs");
  jobdeck("schedule", "delete", "never");
});

it("adds a schedule and lists it as JSON with its rule in words", () => {
  const added = jobdeck(
    "schedule",
    "add",
    "--name",
    "weekly",
    "--task",
    "demo.echo",
    "--args",
    '{"digest":"weekly"}',
    "--type",
    "cron",
    "--cron",
    "0 8 * * 1",
    "--timezone",
    "Europe/London",
  );
  expect(added.code, added.stderr).toBe(0);
  const listed = jobdeck("schedule", "list", "--json");
  expect(listed.code).toBe(0);
  const [row] = JSON.parse(listed.stdout) as { name: string; rule: string; isEnabled: boolean }[];
  expect(row).toMatchObject({
    name: "weekly",
    rule: "At 08:00, only on Monday, Europe/London",
    isEnabled: true,
  });
});
