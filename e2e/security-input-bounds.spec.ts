/**
 * Out-of-range numbers and spoofing text: a row stored before the bounds (or by hand) with run
 * time, priority and timeout no Date or page can use never breaks the Queue page or the job page,
 * and bidi controls in a job's name, task and queue are shown visibly instead of reordering text.
 */
import { e2eRows, expect, snap, test, unique } from "./fixtures";
import { enqueue } from "./seed";

const SPOOF = "invoice\u202Egnp.exe";
const BIDI = /[\u202A-\u202E\u2066-\u2069]/;
let queue = "";
let broken = 0;
let spoofed = 0;

test.beforeAll(() => {
  queue = unique("bounds");
  broken = enqueue("demo.echo", { marker: queue }, { queue, delay: 600, name: "broken" });
  // What `enqueue --delay 1e20 --priority 1e308 --timeout 1e300` stored before the bounds.
  e2eRows().update("jobs", { id: broken }, { run_at: 1e23, priority: 1e308, timeout_ms: 1e300 });
  spoofed = enqueue("demo.echo", {}, { queue, delay: 600, name: SPOOF, group: SPOOF });
});
test.afterAll(() => {
  e2eRows().remove("jobs", { queue });
});

test("the Queue page lists a job whose stored run time is out of range", async ({ page }) => {
  const errors: string[] = [];
  page.on("pageerror", (error) => errors.push(error.message));
  const response = await page.goto(`/queue?queue=${encodeURIComponent(queue)}`);
  expect(response?.status()).toBe(200);
  const table = page.getByRole("table", { name: "Queued jobs" });
  const row = table.getByRole("row").filter({ hasText: "broken" });
  await expect(row).toBeVisible();
  await expect(row.getByText("invalid date")).toBeVisible();
  // The spoofing name is shown with its control written out, and the page holds no raw control.
  await expect(table.getByText("invoice[U+202E]gnp.exe")).toBeVisible();
  expect(await page.evaluate(() => document.body.innerText)).not.toMatch(BIDI);
  // The page still works: the enqueue form is there and the other row can be opened.
  await expect(page.getByRole("button", { name: /enqueue/i }).first()).toBeVisible();
  await snap(page, "bounds-queue-invalid-date");
  expect(errors).toEqual([]);
});

test("the job page of that job loads and shows the time as invalid", async ({ page }) => {
  const errors: string[] = [];
  page.on("pageerror", (error) => errors.push(error.message));
  const response = await page.goto(`/jobs/${broken}`);
  expect(response?.status()).toBe(200);
  await expect(page.getByRole("heading", { name: /broken/ })).toBeVisible();
  await expect(page.getByText("invalid date").first()).toBeVisible();
  await snap(page, "bounds-job-invalid-date");
  await page.emulateMedia({ colorScheme: "dark" });
  await page.setViewportSize({ width: 390, height: 844 });
  await page.goto(`/queue?queue=${encodeURIComponent(queue)}`);
  await expect(page.getByText("invalid date").first()).toBeVisible();
  await snap(page, "bounds-queue-invalid-date-390-dark");
  expect(errors).toEqual([]);
});

test("a job named with a bidi override shows the control visibly on its page", async ({ page }) => {
  await page.goto(`/jobs/${spoofed}`);
  await expect(page.getByRole("heading", { name: /invoice\[U\+202E\]gnp\.exe/ })).toBeVisible();
  expect(await page.evaluate(() => document.body.innerText)).not.toMatch(BIDI);
  await snap(page, "bounds-job-bidi");
});

test("the enqueue form refuses hex, exponents and out-of-range numbers, naming the field", async ({
  page,
}) => {
  const name = unique("bounds-form");
  await page.goto("/queue");
  const form = page.getByRole("form", { name: "Enqueue a job" });
  await form.getByLabel("Name").fill(name);
  const cases: [string, string, RegExp][] = [
    ["Delay (seconds)", "0x10", /Delay must be a number of seconds/],
    ["Delay (seconds)", "400000000", /delay must be between 0 and 315360000 seconds/],
    ["Priority", "1e308", /Priority must be a whole number/],
    ["Priority", "2000000", /priority must be a whole number between -1000000 and 1000000/],
  ];
  for (const [label, value, message] of cases) {
    await form.getByLabel("Delay (seconds)").fill(label === "Delay (seconds)" ? value : "");
    await form.getByLabel("Priority").fill(label === "Priority" ? value : "");
    await form.getByRole("button", { name: "Enqueue job" }).click();
    await expect(form.getByText(message)).toBeVisible();
  }
  await snap(page, "bounds-form-refused");
  expect(e2eRows().count("jobs", { name })).toBe(0);
});
