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
