import { createHash } from "node:crypto";
import { expect, test } from "@playwright/test";
import {
  builtActions,
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
  const signOut = e2eDb()
    .$client.prepare(
      `SELECT actor FROM audit_log WHERE action = 'session.sign-out' ORDER BY id DESC LIMIT 1`,
    )
    .pluck()
    .get();
  expect(signOut).toBe("sec-alice");
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

test("five failed sign-ins refuse that username from that address, but the real user signs in from another", async ({
  page,
  context,
}) => {
  ensureUser("sec-carol", "admin");
  for (let i = 0; i < 5; i++) {
    await signInThroughForm(page, "sec-carol", `wrong-${i}-password`);
    await expect(page.locator("form").getByRole("alert")).toHaveText("Wrong username or password.");
  }
  await signInThroughForm(page, "sec-carol", TEST_PASSWORD);
  await expect(page.locator("form").getByRole("alert")).toContainText("Too many failed sign-ins");
  await expect(page).toHaveURL(/\/login/);
  const audited = (action: string) =>
    e2eDb()
      .$client.prepare(
        `SELECT COUNT(*) FROM audit_log WHERE action = ? AND target = 'user:sec-carol'`,
      )
      .pluck()
      .get(action);
  expect(audited("session.sign-in-failed")).toBe(5);
  expect(audited("session.lock-out")).toBe(1);

  // The attacker's address is refused; the user's own address is only slowed down.
  await context.setExtraHTTPHeaders({ "X-Forwarded-For": "192.0.2.201" });
  await signInThroughForm(page, "sec-carol", TEST_PASSWORD);
  await expect(page).not.toHaveURL(/\/login/);
  ensureUser("sec-carol", "admin"); // clears the failures for later runs
});

test("30 parallel sign-ins, 29 wrong and the right one, check no more than the limit", async ({
  request,
  baseURL,
}) => {
  ensureUser("sec-storm", "admin");
  const action = builtActions().find(
    (a) => a.exportedName === "signIn" && a.filename.includes("login"),
  );
  expect(action, "the build has the signIn action").toBeTruthy();
  const attempt = (password: string) => {
    // What the form sends (React's reply encoding): the fields named "_1_…" make the FormData
    // that "$K1" in field 0, the arguments, refers to. Field 0 must come last, as the server
    // reads the arguments as soon as they arrive (an object literal would put "0" first).
    const form = new FormData();
    form.append("_1_next", "/");
    form.append("_1_username", "sec-storm");
    form.append("_1_password", password);
    form.append("0", JSON.stringify([{ message: null, username: "" }, "$K1"]));
    return request
      .post("/login", {
        headers: {
          "next-action": action!.id,
          accept: "text/x-component",
          origin: baseURL!.replace(/\/$/, ""),
          "x-forwarded-for": "192.0.2.202",
        },
        multipart: form,
        maxRedirects: 0,
      })
      .then(async (r) => ({ headers: r.headers(), body: await r.text() }));
  };
  const guesses = Array.from({ length: 29 }, (_, i) => attempt(`wrong-${i}`));
  // The right one goes out last, while the wrong ones are still being checked: it must not be
  // checked too (before the fix it was, and signed in).
  await new Promise((resolve) => setTimeout(resolve, 20));
  const results = await Promise.all([...guesses, attempt(TEST_PASSWORD)]);
  const wrong = results.filter((r) => r.body.includes("Wrong username or password.")).length;
  const refused = results.filter((r) => r.body.includes("Too many failed sign-ins")).length;
  const signedIn = results.filter((r) => r.headers["set-cookie"]?.includes("jobdeck_session="));
  expect(wrong + refused + signedIn.length).toBe(30);
  // The limit is 5 per user and address: exactly 5 passwords were checked, 25 refused unchecked.
  expect(wrong + signedIn.length).toBe(5);
  expect(refused).toBe(25);
  expect(results[29]?.body).toContain("Too many failed sign-ins");
  ensureUser("sec-storm", "admin");
});

test("a non-Latin-1 next path signs in and goes there, without a server error", async ({
  page,
}) => {
  ensureUser("sec-next", "admin");
  await page.goto("/login?next=/%E3%80%82");
  await page.getByLabel("Username").fill("sec-next");
  await page.getByLabel("Password").fill(TEST_PASSWORD);
  const [response] = await Promise.all([
    page.waitForResponse((r) => r.request().method() === "POST" && r.url().includes("/login")),
    page.getByRole("button", { name: "Sign in" }).click(),
  ]);
  expect(response.status()).toBeLessThan(500);
  await expect(page).toHaveURL(/\/%E3%80%82$/);
});

test("duplicate session cookies are read one way by pages and route handlers: as signed out", async ({
  request,
}) => {
  const id = ensureUser("sec-dup", "admin");
  const valid = sessionCookie(id, "valid");
  const other = sessionCookie(ensureUser("sec-dup2", "viewer"), "valid");
  for (const pair of [
    [valid, "garbage.x"],
    ["garbage.x", valid],
    [valid, other],
  ]) {
    const cookie = pair.map((v) => `jobdeck_session=${v}`).join("; ");
    const pageResponse = await request.get("/failures", { headers: { cookie }, maxRedirects: 0 });
    const routeResponse = await request.get("/api/overview", { headers: { cookie } });
    expect([pageResponse.status(), pageResponse.headers().location ?? ""], cookie).toEqual([
      307,
      expect.stringContaining("/login"),
    ]);
    expect(routeResponse.status(), cookie).toBe(401);
  }
  // The same cookie twice is one value, not an ambiguity.
  const twice = `jobdeck_session=${valid}; jobdeck_session=${valid}`;
  expect((await request.get("/api/overview", { headers: { cookie: twice } })).status()).toBe(200);
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
