import { createHash } from "node:crypto";
import { expect, test } from "@playwright/test";
import {
  e2eDb,
  ensureUser,
  sessionCookie,
  signInThroughForm,
  TEST_PASSWORD,
} from "./security-helpers";

// Each test signs in from its own address, so the per-address sign-in limit of one test never
// blocks another (the server takes the right-most X-Forwarded-For entry as the address).
let addressSeq = 0;
test.beforeEach(async ({ context }, info) => {
  addressSeq += 1;
  await context.setExtraHTTPHeaders({
    "X-Forwarded-For": `198.51.100.${(info.workerIndex * 50 + addressSeq) % 250}`,
  });
});

test("signing in with the right password opens the dashboard and signing out ends the session", async ({
  page,
  context,
}) => {
  ensureUser("sec-alice", "admin");
  await signInThroughForm(page, "sec-alice");
  await expect(page).not.toHaveURL(/\/login/);
  const cookie = (await context.cookies()).find((c) => c.name === "jobdeck_session");
  expect(cookie).toMatchObject({ httpOnly: true, sameSite: "Lax", path: "/" });
  expect(cookie?.value).toMatch(/^[A-Za-z0-9_-]+\.[A-Za-z0-9_-]{43}$/);

  await page.getByRole("button", { name: "Sign out" }).click();
  await expect(page).toHaveURL(/\/login/);
  // The old cookie is dead on the server too: replaying it gets the sign-in page.
  await context.addCookies([{ ...cookie!, expires: -1 }]);
  await page.goto("/");
  await expect(page).toHaveURL(/\/login/);
});

test("signing in rotates the session: a cookie planted before sign-in is ended, not reused", async ({
  page,
  context,
  baseURL,
}) => {
  const id = ensureUser("sec-fixation", "admin");
  await page.goto("/login");
  await page.getByLabel("Username").fill("sec-fixation");
  await page.getByLabel("Password").fill(TEST_PASSWORD);
  // The planted session arrives with the sign-in request itself.
  const planted = sessionCookie(id, "valid");
  await context.addCookies([{ name: "jobdeck_session", value: planted, url: baseURL! }]);
  await page.getByRole("button", { name: "Sign in" }).click();
  await expect(page).not.toHaveURL(/\/login/);
  const after = (await context.cookies()).find((c) => c.name === "jobdeck_session");
  expect(after?.value).toBeTruthy();
  expect(after?.value).not.toBe(planted);
  const plantedId = createHash("sha256").update(planted.split(".")[0]!).digest("hex");
  const left = e2eDb()
    .$client.prepare(`SELECT COUNT(*) FROM sessions WHERE id = ?`)
    .pluck()
    .get(plantedId);
  expect(left).toBe(0);
});

test("a wrong password or unknown user shows one message and no session", async ({
  page,
  context,
}) => {
  ensureUser("sec-bob", "viewer");
  await signInThroughForm(page, "sec-bob", "wrong-password-123");
  await expect(page.locator("form").getByRole("alert")).toHaveText("Wrong username or password.");
  await signInThroughForm(page, "sec-nobody-here", "wrong-password-123");
  await expect(page.locator("form").getByRole("alert")).toHaveText("Wrong username or password.");
  expect((await context.cookies()).some((c) => c.name === "jobdeck_session")).toBe(false);
});

test("five failed sign-ins lock the username, even with the right password afterwards", async ({
  page,
}) => {
  ensureUser("sec-carol", "admin");
  for (let i = 0; i < 5; i++) {
    await signInThroughForm(page, "sec-carol", `wrong-${i}-password`);
    await expect(page.locator("form").getByRole("alert")).toHaveText("Wrong username or password.");
  }
  await signInThroughForm(page, "sec-carol", TEST_PASSWORD);
  await expect(page.locator("form").getByRole("alert")).toContainText("Too many failed sign-ins");
  await expect(page).toHaveURL(/\/login/);
  ensureUser("sec-carol", "admin"); // clears the failures for later runs
});

test("an expired or idle session sends the user back to sign in, then to the page they wanted", async ({
  page,
  context,
  baseURL,
}) => {
  const id = ensureUser("sec-dave", "admin");
  for (const kind of ["expired", "idle"] as const) {
    await context.clearCookies();
    await context.addCookies([
      { name: "jobdeck_session", value: sessionCookie(id, kind), url: baseURL! },
    ]);
    await page.goto("/failures?page=1");
    await expect(page).toHaveURL(/\/login\?next=%2Ffailures%3Fpage%3D1/);
  }
  await page.getByLabel("Username").fill("sec-dave");
  await page.getByLabel("Password").fill(TEST_PASSWORD);
  await page.getByRole("button", { name: "Sign in" }).click();
  await expect(page).toHaveURL(/\/failures\?page=1$/);
});

test("sign-in never redirects off the site", async ({ page, baseURL }) => {
  ensureUser("sec-erin", "admin");
  await signInThroughForm(page, "sec-erin", TEST_PASSWORD, "//evil.example/steal");
  await expect(page).not.toHaveURL(/\/login/);
  expect(new URL(page.url()).host).toBe(new URL(baseURL!).host);
});

test("pages carry a nonce CSP and Next's scripts run under it without violations", async ({
  page,
}) => {
  const violations: string[] = [];
  page.on("console", (m) => {
    if (/Content Security Policy|Refused to/i.test(m.text())) violations.push(m.text());
  });
  const response = await page.goto("/login");
  const csp = response?.headers()["content-security-policy"] ?? "";
  expect(csp).toMatch(/script-src 'self' 'nonce-[A-Za-z0-9+/=]+' 'strict-dynamic'/);
  for (const part of ["frame-ancestors 'none'", "object-src 'none'", "base-uri 'none'"])
    expect(csp).toContain(part);
  expect(response?.headers()["x-content-type-options"]).toBe("nosniff");
  expect(response?.headers()["referrer-policy"]).toBeTruthy();
  const nonce = /'nonce-([^']+)'/.exec(csp)?.[1];
  const scripts = await page
    .locator("script")
    .evaluateAll((els) => els.map((e) => (e as HTMLScriptElement).nonce));
  expect(scripts.length).toBeGreaterThan(0);
  expect(scripts.every((n) => n === nonce)).toBe(true);
  // Hydration worked (a client component reacts) and nothing was refused.
  ensureUser("sec-frank", "admin");
  await signInThroughForm(page, "sec-frank");
  await expect(page).not.toHaveURL(/\/login/);
  expect(violations).toEqual([]);
});
