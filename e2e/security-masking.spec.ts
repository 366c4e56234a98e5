/**
 * Secrets never reach a viewer's browser (issue 14.4): a job whose arguments, result and error hold
 * secrets shows masked on the lists, the job page and the JSON routes; an admin's Reveal shows
 * them and lands in the audit log.
 */
import { expect, snap, test, unique, waitForOutcome } from "./fixtures";
import { enqueue } from "./seed";
import { ensureUser, sessionCookie } from "./security-helpers";

const SECRETS = ["pw-E2E-1", "tok-E2E-2", "pgpw-E2E-3", "pgpw-E2E-4"];

test("a viewer sees no secret on lists, job pages or JSON routes; an admin reveals, audited", async ({
  page,
  browser,
  baseURL,
}) => {
  const name = unique("masked-e2e");
  const args = {
    to: "ann@example.com",
    password: "pw-E2E-1",
    tokens: ["tok-E2E-2"],
    db: "postgres://app:pgpw-E2E-3@db.internal/prod",
  };
  const ok = enqueue("demo.echo", args, { name });
  const bad = enqueue(
    "demo.fail",
    { message: "connect postgres://svc:pgpw-E2E-4@db:5432/x refused", password: "pw-E2E-1" },
    { name, maxAttempts: 1 },
  );
  expect(await waitForOutcome(ok)).toBe("success");
  expect(await waitForOutcome(bad)).toBe("failure");

  const viewerId = ensureUser("sec-mask-viewer", "viewer");
  const context = await browser.newContext();
  await context.addCookies([
    { name: "jobdeck_session", value: sessionCookie(viewerId, "valid"), url: baseURL! },
  ]);
  const viewer = await context.newPage();
  for (const url of [
    `/successes?q=${name}`,
    `/failures?q=${name}`,
    `/failures`,
    `/jobs/${ok}`,
    `/jobs/${bad}`,
    `/`,
  ]) {
    await viewer.goto(url);
    await expect(viewer.getByRole("navigation", { name: "Main" })).toBeVisible();
    const html = await viewer.content();
    for (const secret of SECRETS) expect(html, `${url} shows ${secret}`).not.toContain(secret);
  }
  await viewer.goto(`/successes?q=${name}`);
  await expect(viewer.getByText(name).first()).toBeVisible();
  for (const url of [
    "/api/results?state=success",
    "/api/results?state=failure",
    "/api/overview",
    `/api/v1/jobs/${ok}`,
    `/api/v1/jobs/${bad}`,
  ]) {
    const text = await (await viewer.request.get(url)).text();
    for (const secret of SECRETS) expect(text, `${url} shows ${secret}`).not.toContain(secret);
  }
  expect((await viewer.request.get(`/api/v1/jobs/${ok}?reveal=1`)).status()).toBe(403);
  await context.close();

  await page.goto(`/jobs/${ok}`);
  await expect(page.getByLabel("Arguments")).not.toContainText("pw-E2E-1");
  await page.getByRole("button", { name: "Reveal secrets" }).click();
  await expect(page.getByLabel("Unmasked arguments")).toContainText("pw-E2E-1");
  await snap(page, "job-reveal-1440");
  await page.setViewportSize({ width: 390, height: 844 });
  await snap(page, "job-reveal-390");
  await page.goto("/audit");
  await expect(page.getByText("job.reveal").first()).toBeVisible();
  await expect(page.locator("body")).not.toContainText("pw-E2E-1");
});
