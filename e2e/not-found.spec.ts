import { expect, type Page } from "@playwright/test";
import { snap, test } from "./fixtures";

/** Collects every CSP violation the page reports, by event and in the console. */
function watchCsp(page: Page): string[] {
  const violations: string[] = [];
  page.on("console", (m) => {
    if (/Content Security Policy|Refused to/i.test(m.text())) violations.push(m.text());
  });
  void page.addInitScript(() => {
    document.addEventListener("securitypolicyviolation", (e) =>
      console.error(
        `Refused to run: Content Security Policy ${e.violatedDirective} ${e.blockedURI}`,
      ),
    );
  });
  return violations;
}

/** Waits until the page's scripts have loaded and Next has started on the client. */
async function waitForScripts(page: Page) {
  await page.waitForLoadState("load");
  await page.waitForFunction(() => "next" in window, undefined, { timeout: 10_000 });
  await page.waitForTimeout(300);
}

test("an unknown address answers 404 with a styled page and no CSP violation", async ({ page }) => {
  const violations = watchCsp(page);
  const response = await page.goto("/does-not-exist");
  expect(response?.status()).toBe(404);
  await waitForScripts(page);
  expect(violations).toEqual([]);
  await expect(page.getByRole("heading", { name: "Page not found" })).toBeVisible();
  await snap(page, "404-page");
  await page.getByRole("link", { name: "Back to the Overview" }).click();
  await expect(page.getByRole("heading", { name: "Overview", exact: true })).toBeVisible();
});

for (const path of ["/jobs/999999999", "/jobs/not-a-number", "/schedules/999999999"]) {
  test(`an unknown job or schedule (${path}) answers 404 inside the dashboard with no CSP violation`, async ({
    page,
  }) => {
    const violations = watchCsp(page);
    const response = await page.goto(path);
    expect(response?.status()).toBe(404);
    await expect(page.getByRole("heading", { name: "Not found" })).toBeVisible();
    await expect(page.getByRole("navigation", { name: "Main" })).toBeVisible();
    await snap(page, `404${path.replaceAll("/", "-")}`);
    await waitForScripts(page);
    // The dashboard's client components work: the theme picker reacts.
    await page.getByRole("button", { name: "Dark theme" }).click();
    await expect(page.locator("html")).toHaveAttribute("data-theme", "dark");
    await page.getByRole("button", { name: "System theme" }).click();
    expect(violations).toEqual([]);
  });
}

test.describe("signed out", () => {
  test.use({ storageState: { cookies: [], origins: [] } });

  test("an unknown address still sends a signed-out visitor to sign in", async ({ page }) => {
    const response = await page.goto("/does-not-exist");
    expect(response?.status()).toBe(200);
    await expect(page).toHaveURL(/\/login\?next=%2Fdoes-not-exist$/);
    await expect(page.getByRole("button", { name: "Sign in" })).toBeVisible();
  });
});
