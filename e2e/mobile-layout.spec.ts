import type { Page } from "@playwright/test";
import { expect, snap, test, unique, waitForOutcome } from "./fixtures";
import { enqueue, seedRetryableFailure } from "./seed";

const NAV = ["Overview", "Successes", "Failures", "Queue", "Schedules", "Audit"];

/** Whether the whole page scrolls sideways (it must not; wide tables scroll inside their card). */
async function pageOverflow(page: Page): Promise<{ scrollWidth: number; innerWidth: number }> {
  return page.evaluate(() => ({
    scrollWidth: document.documentElement.scrollWidth,
    innerWidth: window.innerWidth,
  }));
}

/** The relative luminance (0 dark … 1 light) of the body's background. */
async function bodyLightness(page: Page): Promise<number> {
  return page.evaluate(() => {
    const probe = document.createElement("canvas").getContext("2d")!;
    probe.fillStyle = getComputedStyle(document.body).backgroundColor;
    probe.fillRect(0, 0, 1, 1);
    const [r, g, b] = probe.getImageData(0, 0, 1, 1).data;
    return (0.2126 * r! + 0.7152 * g! + 0.0722 * b!) / 255;
  });
}

let jobId = 0;
test.beforeAll(async () => {
  // A long unbroken argument makes the lists and the job page as wide as they get.
  jobId = enqueue("demo.echo", { note: unique("wide"), blob: "x".repeat(300) });
  await waitForOutcome(jobId);
  seedRetryableFailure({ name: unique("narrow-failure") });
});

test.describe("at 390 px", () => {
  test.use({ viewport: { width: 390, height: 844 }, colorScheme: "light" });

  const pages: [string, string | (() => string), RegExp][] = [
    ["overview", "/", /^Overview$/],
    ["successes", "/successes", /^Successes$/],
    ["failures", "/failures", /^Failures$/],
    ["queue", "/queue", /^Queue$/],
    ["schedules", "/schedules", /^Schedules$/],
    ["schedule-form", "/schedules/new", /schedule/i],
    ["job", () => `/jobs/${jobId}`, /demo\.echo|#\d+/],
    ["audit", "/audit", /^Audit/],
  ];

  for (const [name, path, heading] of pages) {
    test(`the ${name} page fits the screen and its menu reaches every page`, async ({ page }) => {
      await page.goto(typeof path === "string" ? path : path());
      await expect(page.getByRole("heading", { level: 1, name: heading })).toBeVisible();
      const { scrollWidth, innerWidth } = await pageOverflow(page);
      expect(scrollWidth, `${name} scrolls sideways`).toBeLessThanOrEqual(innerWidth);
      await snap(page, `390-${name}`);

      const menu = page.getByRole("button", { name: "Menu" });
      await expect(menu).toHaveAttribute("aria-expanded", "false");
      await menu.click();
      await expect(menu).toHaveAttribute("aria-expanded", "true");
      const nav = page.getByRole("navigation", { name: "Main" });
      for (const label of NAV)
        await expect(nav.getByRole("link", { name: label })).toBeInViewport();
      await expect(page.getByRole("button", { name: "Sign out" })).toBeInViewport();
      await expect(page.getByRole("group", { name: "Theme" })).toBeInViewport();
      expect((await pageOverflow(page)).scrollWidth).toBeLessThanOrEqual(innerWidth);
      if (name === "overview") await snap(page, "390-menu-open");
    });
  }

  test("choosing a page in the menu goes there and closes the menu", async ({ page }) => {
    await page.goto("/");
    await page.getByRole("button", { name: "Menu" }).click();
    await page
      .getByRole("navigation", { name: "Main" })
      .getByRole("link", { name: "Failures" })
      .click();
    await expect(page.getByRole("heading", { level: 1, name: "Failures" })).toBeVisible();
    await expect(page.getByRole("button", { name: "Menu" })).toHaveAttribute(
      "aria-expanded",
      "false",
    );
    await expect(page.getByRole("navigation", { name: "Main" })).toBeHidden();
  });

  test.describe("signed out", () => {
    test.use({ storageState: { cookies: [], origins: [] } });

    test("the sign-in page fits the screen", async ({ page }) => {
      await page.goto("/login");
      await expect(page.getByRole("button", { name: "Sign in" })).toBeInViewport();
      const { scrollWidth, innerWidth } = await pageOverflow(page);
      expect(scrollWidth).toBeLessThanOrEqual(innerWidth);
      await snap(page, "390-login");
    });
  });
});

test.describe("at 1280 px, the narrowest header row", () => {
  test.use({ viewport: { width: 1280, height: 800 } });

  test("every link and Sign out sit in the header without a menu", async ({ page }) => {
    await page.goto("/");
    await expect(page.getByRole("button", { name: "Menu" })).toBeHidden();
    const nav = page.getByRole("navigation", { name: "Main" });
    for (const label of NAV) await expect(nav.getByRole("link", { name: label })).toBeInViewport();
    await expect(page.getByRole("button", { name: "Sign out" })).toBeInViewport();
    const { scrollWidth, innerWidth } = await pageOverflow(page);
    expect(scrollWidth).toBeLessThanOrEqual(innerWidth);
    await snap(page, "1280-overview");
  });
});

test("at 1024 px the header folds into the menu rather than clipping", async ({ page }) => {
  await page.setViewportSize({ width: 1024, height: 768 });
  await page.goto("/");
  await page.getByRole("button", { name: "Menu" }).click();
  const nav = page.getByRole("navigation", { name: "Main" });
  for (const label of NAV) await expect(nav.getByRole("link", { name: label })).toBeInViewport();
  await expect(page.getByRole("button", { name: "Sign out" })).toBeInViewport();
  await snap(page, "1024-menu-open");
});

test.describe("with the system set to dark", () => {
  test.use({ colorScheme: "dark" });

  test("the dashboard starts dark with no stored choice, and a picked theme sticks", async ({
    page,
    context,
  }) => {
    expect((await context.cookies()).some((c) => c.name === "jobdeck_theme")).toBe(false);
    await page.goto("/");
    await expect(page.locator("html")).toHaveAttribute("data-theme", "system");
    expect(await bodyLightness(page)).toBeLessThan(0.2);
    await expect(page.getByRole("button", { name: "System theme" })).toHaveAttribute(
      "aria-pressed",
      "true",
    );
    await snap(page, "1440-overview-dark");

    await page.getByRole("button", { name: "Light theme" }).click();
    await expect.poll(() => bodyLightness(page)).toBeGreaterThan(0.8);
    await page.goto(`/jobs/${jobId}`);
    await expect(page.locator("html")).toHaveAttribute("data-theme", "light");
    expect(await bodyLightness(page)).toBeGreaterThan(0.8);
    await snap(page, "1440-job-light");

    await page.getByRole("button", { name: "System theme" }).click();
    await expect.poll(() => bodyLightness(page)).toBeLessThan(0.2);
    await page.reload();
    await expect(page.locator("html")).toHaveAttribute("data-theme", "system");
    expect((await context.cookies()).some((c) => c.name === "jobdeck_theme")).toBe(false);
    await snap(page, "1440-job-dark");
  });

  test.describe("at 390 px", () => {
    test.use({ viewport: { width: 390, height: 844 } });

    test("phone pages start dark too", async ({ page }) => {
      for (const [name, path] of [
        ["overview", "/"],
        ["failures", "/failures"],
        ["job", `/jobs/${jobId}`],
      ] as const) {
        await page.goto(path);
        expect(await bodyLightness(page)).toBeLessThan(0.2);
        await snap(page, `390-${name}-dark`);
      }
      await page.getByRole("button", { name: "Menu" }).click();
      await snap(page, "390-menu-open-dark");
    });
  });
});
