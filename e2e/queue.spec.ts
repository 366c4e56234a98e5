import { execFileSync } from "node:child_process";
import path from "node:path";
import { expect, snap, test, unique } from "./fixtures";

const ROOT = path.resolve(import.meta.dirname, "..");

/** Enqueues through the CLI, as another process would; returns the printed job id. */
function cliEnqueue(args: string[]): number {
  const out = execFileSync(
    process.execPath,
    ["node_modules/tsx/dist/cli.mjs", "worker/cli.ts", "enqueue", ...args],
    {
      cwd: ROOT,
      env: process.env,
      encoding: "utf8",
    },
  );
  return Number(out.trim().split(/\s+/).pop());
}

test("live refresh shows a job enqueued from outside without a reload", async ({ page }) => {
  await page.goto("/queue");
  await expect(page.getByRole("heading", { name: "Queue", exact: true })).toBeVisible();
  await page.evaluate(() => ((window as unknown as { __noReload: boolean }).__noReload = true));
  const marker = unique("live");
  const id = cliEnqueue(["demo.echo", "--args", JSON.stringify({ marker }), "--delay", "600"]);
  const row = page
    .getByRole("table", { name: "Queued jobs" })
    .getByRole("row")
    .filter({ hasText: marker });
  await expect(row).toBeVisible({ timeout: 10_000 });
  await expect(row.getByRole("link", { name: `#${id}` })).toBeVisible();
  expect(
    await page.evaluate(() => (window as unknown as { __noReload?: boolean }).__noReload),
  ).toBe(true);
  await snap(page, "queue");

  await row.getByRole("button", { name: "Cancel" }).click();
  await page.getByRole("dialog").getByRole("button", { name: "Cancel job" }).click();
  await expect(page.getByText(`Job #${id} cancelled.`)).toBeVisible();
  await expect(row).toHaveCount(0);
});

test("a running job shows its progress and can be asked to cancel", async ({ page }) => {
  const marker = unique("long");
  const id = cliEnqueue(["demo.sleep", "--args", JSON.stringify({ ms: 20_000, marker })]);
  await page.goto("/queue");
  const row = page
    .getByRole("table", { name: "Running jobs" })
    .getByRole("row")
    .filter({ has: page.getByRole("link", { name: `#${id}`, exact: true }) });
  await expect(row).toBeVisible({ timeout: 15_000 });
  await expect(row.getByRole("progressbar")).toBeVisible();
  await row.getByRole("button", { name: "Request cancel" }).click();
  await expect(page.getByText(/Asked job #\d+ to cancel/)).toBeVisible();
});

test("the enqueue form refuses invalid JSON and enqueues a valid job", async ({ page }) => {
  await page.goto("/queue");
  const form = page.getByRole("form", { name: "Enqueue a job" });
  await form.getByLabel("Task").selectOption("demo.echo");
  await form.getByLabel("Arguments").fill("{not json");
  await form.getByLabel("Group").fill("kept-after-error");
  await form.getByRole("button", { name: "Enqueue job" }).click();
  await expect(form.getByText(/Not valid JSON/)).toBeVisible();
  await expect(form.getByLabel("Group")).toHaveValue("kept-after-error");
  await snap(page, "queue-enqueue-invalid");
  const name = unique("from-form");
  await form.getByLabel("Arguments").fill('{"from":"form"}');
  await form.getByLabel("Name").fill(name);
  await form.getByRole("button", { name: "Enqueue job" }).click();
  await expect(page.getByText(/Enqueued job #\d+/)).toBeVisible();
  await page.goto("/successes");
  await expect(page.getByRole("row").filter({ hasText: name })).toBeVisible({ timeout: 15_000 });
});

test("the queued list pages back and forth and counts the jobs matching a filter", async ({
  page,
}) => {
  const abc = "ghijklmnopqrstuvwxyz";
  let queue = "pages";
  for (let i = 0; i < 8; i++) queue += abc[Math.floor(Math.random() * abc.length)];
  const { enqueue } = await import("./seed");
  const ids = Array.from({ length: 30 }, (_, i) =>
    enqueue("demo.noop", { i }, { queue, delay: 3600 }),
  );
  const { e2eRows } = await import("./fixtures");
  try {
    await page.goto(`/queue?queue=${queue}&size=25`);
    await expect(page.getByText("30 matching this filter")).toBeVisible();
    const table = page.getByRole("table", { name: "Queued jobs" });
    await expect(table.getByRole("columnheader", { name: "Queue" })).toBeVisible();
    const bodyRows = table.locator("tbody tr");
    await expect(bodyRows).toHaveCount(25);
    await expect(bodyRows.first()).toContainText(`#${ids[0]}`);
    const pages = page.getByRole("navigation", { name: "Pages" });
    await pages.getByRole("link", { name: "Next page →" }).click();
    await expect(page).toHaveURL(/after=/);
    await expect(bodyRows).toHaveCount(5);
    await expect(bodyRows.first()).toContainText(`#${ids[25]}`);
    await pages.getByRole("link", { name: "← Previous page" }).click();
    await expect(page).toHaveURL(/before=/);
    await expect(bodyRows).toHaveCount(25);
    await expect(bodyRows.first()).toContainText(`#${ids[0]}`);
    await expect(pages.getByRole("link", { name: "← Previous page" })).toHaveAttribute(
      "aria-disabled",
      "true",
    );
    await snap(page, "queue-pages");
  } finally {
    e2eRows().remove("jobs", { queue, state: "queued" });
  }
});
