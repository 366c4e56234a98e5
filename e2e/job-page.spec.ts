import { expect, snap, test, unique, waitForOutcome } from "./fixtures";
import { enqueue, seedRetryableFailure } from "./seed";

test("the job page shows every attempt and the error's stack", async ({ page }) => {
  const name = unique("always-fails");
  const id = enqueue("demo.fail", { reason: "<b>not html</b>" }, { name, maxAttempts: 2 });
  expect(await waitForOutcome(id, 40_000)).toBe("failure");
  await page.goto(`/jobs/${id}`);
  await expect(page.getByRole("heading", { name: new RegExp(name) })).toBeVisible();
  await expect(page.getByRole("heading", { name: "Attempts (2)" })).toBeVisible();
  const attempts = page.getByRole("table", { name: "Attempts" });
  await expect(attempts.getByRole("row")).toHaveCount(3);
  await expect(page.getByLabel("Stack", { exact: true })).toContainText("at ");
  // Arguments are shown as text, never as HTML.
  await expect(page.getByLabel("Arguments")).toContainText("<b>not html</b>");
  await expect(page.getByRole("heading", { name: "Timeline" })).toBeVisible();
  await snap(page, "job-failure");
});

test("an unknown job shows a not-found page inside the layout", async ({ page }) => {
  await page.goto("/jobs/999999999");
  await expect(page.getByRole("heading", { name: "Not found" })).toBeVisible();
  await expect(page.getByRole("navigation", { name: "Main" })).toBeVisible();
});

test("secret-looking arguments are masked on the job page and in the queue", async ({ page }) => {
  const name = unique("masked");
  const id = enqueue(
    "demo.sleep",
    { ms: 4000, password: "hunter2-do-not-show", nested: { apiToken: "tok-do-not-show" } },
    // Delayed, so it is still on the Queue page however slowly the page loads.
    { name, delay: 3600 },
  );
  await page.goto(`/jobs/${id}`);
  const args = page.getByLabel("Arguments");
  await expect(args).toContainText("••••••");
  await expect(args).not.toContainText("do-not-show");
  await expect(args).toContainText('"ms": 4000');
  await page.goto("/queue");
  await expect(page.getByText(name)).toBeVisible();
  await expect(page.locator("body")).not.toContainText("do-not-show");
});

test("retrying a job from its page keeps its max attempts, timeout and hook", async ({ page }) => {
  const name = unique("keeps-settings");
  const failureId = seedRetryableFailure({ name, maxAttempts: 1, timeout: 2, hook: "demo.noop" });
  const detail = (label: string) =>
    page
      .locator("dl > div")
      .filter({ has: page.locator("dt", { hasText: new RegExp(`^${label}$`) }) })
      .locator("dd");
  const expectSettings = async () => {
    await expect(detail("Max attempts")).toHaveText("1");
    await expect(detail("Timeout")).toHaveText("2.00 s");
    await expect(detail("Hook")).toHaveText("demo.noop");
  };
  await page.goto(`/jobs/${failureId}`);
  await expectSettings();
  await page.getByRole("button", { name: "Retry", exact: true }).click();
  const toast = page.getByText(/Retried as job #\d+/);
  await expect(toast).toBeVisible();
  const newId = Number((await toast.textContent())!.replace(/\D+/g, ""));
  expect(await waitForOutcome(newId)).toBe("success");
  await page.goto(`/jobs/${newId}`);
  await expect(page.getByRole("link", { name: `#${failureId} · failure` })).toBeVisible();
  await expectSettings();
  await snap(page, "job-settings");
  await page.setViewportSize({ width: 390, height: 844 });
  await expectSettings();
  await snap(page, "job-settings-390");
});
