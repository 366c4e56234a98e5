import { expect, snap, test, unique, waitForOutcome } from "./fixtures";
import { enqueue } from "./seed";

test("browsing successes shows Name, Task, Duration and Attempts, sorts and opens a job", async ({
  page,
}) => {
  const name = unique("report");
  const ids = [
    enqueue("demo.echo", { hello: "world", n: 1 }, { name, group: "nightly" }),
    enqueue("demo.sleep", { ms: 300 }, { name: `${name}-slow` }),
  ];
  for (const id of ids) expect(await waitForOutcome(id)).toBe("success");

  await page.goto("/successes");
  await expect(page.getByRole("heading", { name: "Successes" })).toBeVisible();
  for (const header of ["Name", "Task", "Started", "Stopped", "Duration", "Attempts"]) {
    await expect(page.getByRole("columnheader", { name: header })).toBeVisible();
  }
  const row = page.getByRole("row").filter({ hasText: name }).filter({ hasText: "demo.echo" });
  await expect(row).toBeVisible();
  await expect(row.getByRole("cell", { name: /\d+ ms|\d+(\.\d+)? s/ })).toBeVisible();
  await expect(row.getByRole("cell", { name: "1", exact: true })).toBeVisible();
  await snap(page, "successes");

  await page.getByRole("columnheader", { name: "Duration" }).getByRole("link").click();
  await expect(page).toHaveURL(/sort=duration/);
  await page.getByRole("searchbox", { name: "Search" }).fill(`${name}-slow`);
  await page.getByRole("button", { name: "Search" }).click();
  await expect(page).toHaveURL(/q=/);
  await expect(page.getByRole("row").filter({ hasText: `${name}-slow` })).toBeVisible();
  await expect(page.getByRole("row").filter({ hasText: "demo.echo" })).toHaveCount(0);

  await page.goto("/successes");
  await page.getByRole("link", { name, exact: true }).click();
  await expect(page).toHaveURL(new RegExp(`/jobs/${ids[0]}$`));
  await expect(page.getByRole("heading", { name: "Result" })).toBeVisible();
  await expect(page.getByLabel("Arguments")).toContainText('"hello": "world"');
  await snap(page, "job-success");
});

/** Letters only: a marker the error fingerprint and the number search leave alone. */
function letters(prefix: string): string {
  const abc = "ghijklmnopqrstuvwxyz";
  let out = prefix;
  for (let i = 0; i < 10; i++) out += abc[Math.floor(Math.random() * abc.length)];
  return out;
}

test("searching a number finds the job with that id first and the jobs that contain it", async ({
  page,
}) => {
  const order = String(100_000_000 + Math.floor(Math.random() * 800_000_000));
  const byOrder = enqueue("demo.echo", { order: Number(order), note: letters("order") });
  expect(await waitForOutcome(byOrder)).toBe("success");

  await page.goto("/successes");
  await page.getByRole("searchbox", { name: "Search" }).fill(order);
  await page.getByRole("button", { name: "Search" }).click();
  await expect(page).toHaveURL(new RegExp(`q=${order}`));
  await expect(page.getByRole("link", { name: `#${byOrder}`, exact: true })).toBeVisible();
  await expect(page.getByText("1 matching this filter")).toBeVisible();

  // A job id that also appears in another job's arguments: the job itself comes first.
  const mention = enqueue("demo.echo", { about: byOrder, note: letters("mention") });
  expect(await waitForOutcome(mention)).toBe("success");
  await page.getByRole("searchbox", { name: "Search" }).fill(String(byOrder));
  await page.getByRole("button", { name: "Search" }).click();
  await expect(page).toHaveURL(new RegExp(`q=${byOrder}`));
  const rows = page.getByRole("table").getByRole("row");
  await expect(rows.nth(1).getByRole("link", { name: `#${byOrder}`, exact: true })).toBeVisible();
  await expect(page.getByRole("link", { name: `#${mention}`, exact: true })).toBeVisible();
  await snap(page, "successes-search-number");
});

test("paging back and forth with an exact count, a Queue column and sorting by Attempts", async ({
  page,
}) => {
  const group = letters("pages");
  const ids = Array.from({ length: 30 }, (_, i) => enqueue("demo.noop", { i }, { group }));
  for (const id of ids) expect(await waitForOutcome(id)).toBe("success");

  await page.goto(`/successes?group=${group}&size=25`);
  await expect(page.getByText("30 matching this filter")).toBeVisible();
  await expect(page.getByRole("columnheader", { name: "Queue" })).toBeVisible();
  const bodyRows = page.getByRole("table").locator("tbody tr");
  await expect(bodyRows).toHaveCount(25);
  const pages = page.getByRole("navigation", { name: "Pages" });
  await expect(pages.getByRole("link", { name: "← Previous page" })).toHaveAttribute(
    "aria-disabled",
    "true",
  );
  // The first row's job id (its times re-render once the page hydrates, so not the whole text).
  const firstId = async () => /#\d+/.exec(await bodyRows.first().innerText())?.[0];
  const firstPage = await firstId();
  expect(firstPage).toMatch(/^#\d+$/);

  await pages.getByRole("link", { name: "Next page →" }).click();
  await expect(page).toHaveURL(/after=/);
  await expect(bodyRows).toHaveCount(5);
  await expect(bodyRows.first().getByRole("cell", { name: "default", exact: true })).toBeVisible();
  await snap(page, "successes-page-two");

  await pages.getByRole("link", { name: "← Previous page" }).click();
  await expect(page).toHaveURL(/before=/);
  await expect(bodyRows).toHaveCount(25);
  expect(await firstId()).toBe(firstPage);
  await expect(pages.getByRole("link", { name: "← Previous page" })).toHaveAttribute(
    "aria-disabled",
    "true",
  );

  await page.getByRole("columnheader", { name: "Attempts" }).getByRole("link").click();
  await expect(page).toHaveURL(/sort=attempts/);
  await expect(page).not.toHaveURL(/before=|after=/);
  await expect(page.getByRole("columnheader", { name: "Attempts" })).toHaveAttribute(
    "aria-sort",
    "descending",
  );
  await expect(bodyRows).toHaveCount(25);
});

test("a filter matching more than 10,000 says so", async ({ page }) => {
  // The count is cut at 10,001 rows: the page says "more than 10,000" instead of a number.
  const { e2eRows } = await import("./fixtures");
  const { seedSuccesses } = await import("@/db/testing/dash-seed");
  const group = letters("many");
  seedSuccesses(10_001, group);
  try {
    await page.goto(`/successes?group=${group}`);
    await expect(page.getByText("more than 10,000 matching this filter")).toBeVisible();
  } finally {
    e2eRows().remove("results", { group_name: group });
  }
});
