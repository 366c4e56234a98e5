import { expect, snap, test, waitForOutcome } from "./fixtures";
import { enqueue } from "./seed";

test("the overview shows counts, throughput, workers and latest failures", async ({ page }) => {
  const id = enqueue("demo.echo", { overview: true });
  await waitForOutcome(id);
  await page.goto("/");
  const nav = page.getByRole("navigation", { name: "Main" });
  for (const link of ["Overview", "Successes", "Failures", "Queue", "Schedules", "Audit"]) {
    await expect(nav.getByRole("link", { name: link })).toBeVisible();
  }
  await expect(page.getByText("Queued", { exact: true })).toBeVisible();
  await expect(page.getByRole("heading", { name: "Throughput, last hour" })).toBeVisible();
  await expect(page.getByRole("heading", { name: "Workers" })).toBeVisible();
  await expect(page.getByText("1/4").or(page.getByText("0/4")).first()).toBeVisible();
  await snap(page, "overview");
});

test("dark mode and pausing live refresh stick across pages", async ({ page }) => {
  await page.goto("/");
  await page.getByRole("button", { name: "Dark theme" }).click();
  await expect(page.locator("html")).toHaveAttribute("data-theme", "dark");
  await page.getByRole("button", { name: "Live" }).click();
  await expect(page.getByRole("button", { name: "Paused" })).toBeVisible();
  await page.goto("/failures");
  await expect(page.locator("html")).toHaveAttribute("data-theme", "dark");
  await expect(page.getByRole("button", { name: "Paused" })).toBeVisible();
  await snap(page, "failures-dark");
  await page.goto("/");
  await snap(page, "overview-dark");
  await page.getByRole("button", { name: "Paused" }).click();
  await page.getByRole("button", { name: "System theme" }).click();
  await expect(page.locator("html")).toHaveAttribute("data-theme", "system");
});
