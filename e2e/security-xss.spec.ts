/**
 * Everything a job carries is untrusted: store hostile strings in every job, result, schedule and
 * audit field, open every dashboard page in Chromium, and check that nothing ran.
 */
import { expect, test, type Page } from "@playwright/test";
import { hostileStrings } from "./security-corpus";
import {
  builtRoutes,
  concretePath,
  ensureUser,
  removeRows,
  seedRows,
  sessionCookie,
  type SeededRows,
} from "./security-helpers";

let seeded: SeededRows;
const corpus = hostileStrings();

test.describe.configure({ mode: "serial" });

/** Rows of CHUNK hostile strings each: every string lands in every field of some row. */
const CHUNK = 5;
const rows = Array.from({ length: Math.ceil(corpus.length / CHUNK) }, (_, i) =>
  corpus.slice(i * CHUNK, (i + 1) * CHUNK).join("\n"),
);

test.beforeAll(() => {
  seeded = seedRows(
    rows.map((text, i) => ({
      text,
      json: JSON.stringify({
        ...Object.fromEntries(
          corpus.slice(i * CHUNK, (i + 1) * CHUNK).map((v) => [v.slice(0, 40), v]),
        ),
        password: text,
        nested: [text],
      }),
    })),
  );
});
test.afterAll(() => removeRows(seeded));

test.beforeEach(async ({ context, baseURL }) => {
  const id = ensureUser("sec-xss-admin", "admin");
  await context.addCookies([
    { name: "jobdeck_session", value: sessionCookie(id, "valid"), url: baseURL! },
  ]);
  await context.addInitScript(() => {
    const w = window as unknown as { __sentinel: string; __violations: string[] };
    w.__sentinel = "intact";
    w.__violations = [];
    document.addEventListener("securitypolicyviolation", (e) => {
      w.__violations.push(`${e.violatedDirective} ${e.blockedURI} ${e.sample}`);
    });
  });
});

/** Opens a page and asserts it rendered and that no hostile string ran. */
async function openAndCheck(page: Page, url: string, dialogs: string[]) {
  const response = await page.goto(url, { waitUntil: "load", timeout: 30_000 });
  expect(response?.status(), url).toBeLessThan(500);
  await expect(page, url).not.toHaveURL(/\/login/);
  await page.waitForTimeout(100);
  const state = await page.evaluate(() => {
    const w = window as unknown as {
      __sentinel?: string;
      __violations?: string[];
      __xss?: unknown;
    };
    return {
      sentinel: w.__sentinel,
      violations: w.__violations ?? [],
      xss: w.__xss ?? null,
      title: document.title,
    };
  });
  expect(state, url).toEqual({
    sentinel: "intact",
    violations: [],
    xss: null,
    title: expect.not.stringContaining("pwned"),
  });
  expect(dialogs, url).toEqual([]);
  await expect(page.getByText("Application error"), url).toHaveCount(0);
}

test(`a corpus of ${corpus.length} hostile strings renders as text on every page`, async ({
  page,
}) => {
  test.setTimeout(6 * 60_000);
  expect(corpus.length).toBeGreaterThanOrEqual(200);
  const dialogs: string[] = [];
  page.on("dialog", async (d) => {
    dialogs.push(d.message());
    await d.dismiss();
  });
  const pages = builtRoutes().filter((r) => r.kind === "page");
  // Every page once (dynamic segments get a seeded row), then every seeded job and schedule.
  for (const route of pages) {
    await openAndCheck(
      page,
      concretePath(route.path, { id: String(seeded.resultIds[0]) }),
      dialogs,
    );
  }
  const detail = pages.map((r) => r.path);
  const jobPattern = detail.find((p) => /^\/jobs\/\[[^\]]+\]$/.test(p));
  const schedulePattern = detail.find((p) => /^\/schedules\/\[[^\]]+\]$/.test(p));
  for (let i = 0; i < rows.length; i++) {
    if (jobPattern) {
      await openAndCheck(
        page,
        concretePath(jobPattern, { id: String(seeded.resultIds[2 * i]) }),
        dialogs,
      );
      await openAndCheck(page, concretePath(jobPattern, { id: String(seeded.jobIds[i]) }), dialogs);
    }
    if (schedulePattern) {
      await openAndCheck(
        page,
        concretePath(schedulePattern, { id: String(seeded.scheduleIds[i]) }),
        dialogs,
      );
    }
  }
  // List pages show 50 rows a page: walk the audit log's pages so every entry is rendered once.
  let next: string | null = "/audit";
  for (let guard = 0; next && guard < 20; guard++) {
    await openAndCheck(page, next, dialogs);
    const older = page.getByRole("link", { name: "Older" });
    next = (await older.count()) > 0 ? await older.first().getAttribute("href") : null;
  }
});

test("expanding long hostile text still runs nothing", async ({ page }) => {
  const dialogs: string[] = [];
  page.on("dialog", async (d) => {
    dialogs.push(d.message());
    await d.dismiss();
  });
  await openAndCheck(page, "/audit", dialogs);
  const buttons = page.getByRole("button", { name: /Show all/ });
  const count = Math.min(await buttons.count(), 20);
  for (let i = 0; i < count; i++) await buttons.nth(0).click();
  const state = await page.evaluate(() => (window as unknown as { __xss?: unknown }).__xss ?? null);
  expect(state).toBeNull();
  expect(dialogs).toEqual([]);
});
