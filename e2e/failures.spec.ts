import type { Page } from "@playwright/test";
import { expect, snap, test, unique, waitForOutcome } from "./fixtures";
import { enqueue, seedRetryableFailure } from "./seed";

/** The "Retried as #…" note in the rows whose text includes `text`. */
const retriedNote = (page: Page, text: string) =>
  page
    .getByRole("row")
    .filter({ hasText: text })
    .getByText(/Retried as #/);

test("retrying a failed job from its row runs it again and it succeeds", async ({ page }) => {
  const name = unique("invoice");
  const failureId = seedRetryableFailure({ name });
  await page.goto("/failures");
  for (const header of ["Name", "Task", "Started", "Stopped", "Duration", "Attempts", "Error"]) {
    await expect(page.getByRole("columnheader", { name: header })).toBeVisible();
  }
  const row = page.getByRole("row").filter({ hasText: name });
  await expect(row).toContainText("Cancelled by e2e-seed");
  await snap(page, "failures");
  await row.getByRole("button", { name: "Retry", exact: true }).click();
  await expect(page.getByText(/Retried as job #\d+/)).toBeVisible();
  const badge = row.getByRole("link", { name: /Retried as #\d+/ });
  await expect(badge).toBeVisible();
  await expect(row.getByRole("button", { name: "Retry", exact: true })).toBeDisabled();
  const newId = Number((await badge.textContent())!.replace(/\D+/g, ""));
  expect(await waitForOutcome(newId)).toBe("success");

  await badge.click();
  await expect(page).toHaveURL(new RegExp(`/jobs/${newId}$`));
  await expect(page.getByText("Success", { exact: true }).first()).toBeVisible();
  await expect(page.getByRole("link", { name: `#${failureId} · failure` })).toBeVisible();
});

test("deleting a failure asks first and removes it", async ({ page }) => {
  const name = unique("delete-me");
  seedRetryableFailure({ name });
  await page.goto("/failures");
  const row = page.getByRole("row").filter({ hasText: name });
  await row.getByRole("button", { name: "Delete", exact: true }).click();
  const dialog = page.getByRole("dialog");
  await expect(dialog).toContainText("Delete job #");
  await snap(page, "failures-delete-confirm");
  await dialog.getByRole("button", { name: "Delete" }).click();
  await expect(page.getByText("Deleted 1 job.")).toBeVisible();
  await expect(row).toHaveCount(0);
});

test("bulk retry of selected failures retries exactly those", async ({ page }) => {
  const group = unique("bulk-selected");
  const ids = [1, 2, 3].map((i) => seedRetryableFailure({ name: `${group}-${i}`, group }));
  await page.goto(`/failures?group=${group}`);
  await expect(page.getByRole("row").filter({ hasText: group })).toHaveCount(3);
  await page.getByRole("checkbox", { name: `Select ${group}-1` }).check();
  await page.getByRole("checkbox", { name: `Select ${group}-3` }).check();
  await expect(page.getByText("2 selected")).toBeVisible();
  await page.getByRole("button", { name: "Retry selected" }).click();
  await expect(page.getByText("Retried 2 jobs.")).toBeVisible();
  await expect(retriedNote(page, `${group}-1`)).toBeVisible();
  await expect(retriedNote(page, `${group}-3`)).toBeVisible();
  await expect(retriedNote(page, `${group}-2`)).toHaveCount(0);
  expect(ids).toHaveLength(3);
});

test("retrying all failures matching a filter shows the count first", async ({ page }) => {
  const group = unique("bulk-all");
  for (let i = 1; i <= 4; i++) seedRetryableFailure({ name: `${group}-${i}`, group });
  seedRetryableFailure({ name: unique("not-in-group") });
  await page.goto(`/failures?group=${group}`);
  await expect(page.getByRole("row").filter({ hasText: group })).toHaveCount(4);
  await page.getByRole("button", { name: "Retry all matching…" }).click();
  const dialog = page.getByRole("dialog");
  await expect(dialog).toContainText("This will retry 4 failures");
  await snap(page, "failures-retry-all-confirm");
  await dialog.getByRole("button", { name: "Retry" }).click();
  await expect(page.getByText("Retried 4 jobs.")).toBeVisible();
  await expect(retriedNote(page, group)).toHaveCount(4);
});

test("failures grouped by error link to the filtered list", async ({ page }) => {
  seedRetryableFailure({ name: unique("grouped") });
  await page.goto("/failures");
  await page.getByRole("link", { name: "Grouped by error" }).click();
  await expect(page).toHaveURL(/view=groups/);
  const row = page.getByRole("row").filter({ hasText: "Cancelled by e2e-seed" });
  await expect(row).toBeVisible();
  await snap(page, "failures-grouped");
  await row.getByRole("link", { name: "View and retry" }).click();
  await expect(page).toHaveURL(/error=Cancelled/);
  await expect(page.getByRole("button", { name: "Retry all matching…" })).toBeVisible();
});

test("failures that differ only in a number are one group with an example", async ({ page }) => {
  const abc = "ghijklmnopqrstuvwxyz";
  let marker = "declined";
  for (let i = 0; i < 10; i++) marker += abc[Math.floor(Math.random() * abc.length)];
  const orders = [881789, 12, 4242];
  const ids = orders.map((order) =>
    enqueue(
      "demo.fail",
      { message: `${marker} payment declined for order ${order}` },
      { maxAttempts: 1 },
    ),
  );
  for (const id of ids) expect(await waitForOutcome(id)).toBe("failure");

  await page.goto("/failures?view=groups");
  const row = page.getByRole("row").filter({ hasText: marker });
  await expect(row).toHaveCount(1);
  await expect(row).toContainText(`${marker} payment declined for order <num>`);
  await expect(row.getByRole("cell", { name: "3", exact: true })).toHaveCount(2);
  // One real message as the example.
  await expect(row).toContainText(
    new RegExp(`${marker} payment declined for order (881789|12|4242)`),
  );
  await snap(page, "failures-grouped-fingerprint");
  await row.getByRole("link", { name: "View and retry" }).click();
  await expect(page.getByText("3 matching this filter")).toBeVisible();
  await expect(page.getByRole("table").locator("tbody tr")).toHaveCount(3);
});
