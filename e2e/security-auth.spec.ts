import { createHash } from "node:crypto";
import { expect, test, type APIRequestContext } from "@playwright/test";
import { signDeviceCookie } from "@/app/_lib/session-cookie";
import { sessionSecret } from "@/db/testing/dash-security";
import { e2eRows } from "./fixtures";
import {
  builtActions,
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
  const signOut = e2eRows().rows("audit_log", { action: "session.sign-out" }).at(-1)?.actor;
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
  expect(e2eRows().count("sessions", { id: plantedId })).toBe(0);
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

/** Posts the sign-in action as the form does, from a claimed address, with optional cookies. */
async function postSignIn(
  request: APIRequestContext,
  baseURL: string,
  { username, password, address, cookie }: SignInPost,
) {
  const action = builtActions().find(
    (a) => a.exportedName === "signIn" && a.filename.includes("login"),
  );
  expect(action, "the build has the signIn action").toBeTruthy();
  // What the form sends (React's reply encoding): the fields named "_1_…" make the FormData
  // that "$K1" in field 0, the arguments, refers to. Field 0 must come last, as the server
  // reads the arguments as soon as they arrive (an object literal would put "0" first).
  const form = new FormData();
  form.append("_1_next", "/");
  form.append("_1_username", username);
  form.append("_1_password", password);
  form.append("0", JSON.stringify([{ message: null, username: "" }, "$K1"]));
  const started = Date.now();
  const r = await request.post("/login", {
    headers: {
      "next-action": action!.id,
      accept: "text/x-component",
      origin: baseURL.replace(/\/$/, ""),
      "x-forwarded-for": address,
      ...(cookie ? { cookie } : {}),
    },
    multipart: form,
    maxRedirects: 0,
  });
  return { headers: r.headers(), body: await r.text(), ms: Date.now() - started };
}
type SignInPost = { username: string; password: string; address: string; cookie?: string };

/** Audit entries of `action` for `username` written after the entry `after` (an id). */
const audited = (action: string, username: string, after: number) =>
  e2eRows().count("audit_log", { action, target: `user:${username}`, id: { gt: after } });
const lastAuditId = () => e2eRows().maxId("audit_log");

test("during an attack that fills the queue and claims her address, a known device signs in at once", async ({
  page,
  context,
  request,
  baseURL,
}) => {
  ensureUser("sec-carol", "admin");
  ensureUser("sec-carol-other", "viewer");
  const before = lastAuditId();
  const own = "192.0.2.201";
  await context.setExtraHTTPHeaders({ "X-Forwarded-For": own });
  await signInThroughForm(page, "sec-carol");
  await expect(page).not.toHaveURL(/\/login/);
  // Her browser is now a known device: a signed, httpOnly cookie kept for a year.
  const device = (await context.cookies()).find((c) => c.name === "jobdeck_device");
  expect(device).toMatchObject({ httpOnly: true, sameSite: "Lax", path: "/" });
  expect(device!.expires * 1000).toBeGreaterThan(Date.now() + 300 * 86_400_000);
  await page.getByRole("button", { name: "Sign out" }).click();
  await expect(page).toHaveURL(/\/login/);
  await page.getByLabel("Username").fill("sec-carol");
  await page.getByLabel("Password").fill(TEST_PASSWORD);

  // The attack (no trusted proxy, so addresses are whatever is claimed): 5 wrong passwords
  // claiming her address, then 30 more from as many addresses, booking turns past the 10 s wait.
  const post = (i: number, address: string) =>
    postSignIn(request, baseURL!, { username: "sec-carol", password: `wrong-${i}`, address });
  const attack = [
    ...Array.from({ length: 5 }, (_, i) => post(i, own)),
    ...Array.from({ length: 30 }, (_, i) => post(100 + i, `203.0.113.${i}`)),
  ];
  await expect.poll(() => audited("session.sign-in-throttled", "sec-carol", before)).toBe(1);

  // She signs in from her known device at once: no turn to wait, no address refusal. (Without
  // it, she would be told to try again or wait her turn behind the attacker's, 4 s or more.)
  await page.getByRole("button", { name: "Sign in" }).click();
  await expect(page).not.toHaveURL(/\/login/, { timeout: 4000 });

  // Another user's valid device cookie, or hers with the username changed, gives nothing: the
  // attempt waits its turn or is told to try again, like any other.
  const secret = sessionSecret();
  const stranger = signDeviceCookie("sec-carol-other", "QUJDREVGR0hJSktMTU5PUFFSU1RV", secret);
  const [user, id, mac] = device!.value.split(".") as [string, string, string];
  const swapped = `${Buffer.from("sec-carol-other").toString("base64url")}.${id}.${mac}`;
  expect(user).toBe(Buffer.from("sec-carol").toString("base64url"));
  const forged = await Promise.all(
    [stranger, swapped, `${user}.${id}.${"A".repeat(43)}`].map((value) =>
      postSignIn(request, baseURL!, {
        username: "sec-carol",
        password: TEST_PASSWORD,
        address: own,
        cookie: `jobdeck_device=${value}`,
      }),
    ),
  );
  for (const r of forged)
    expect(r.body.includes("Too many sign-ins for this user") || r.ms >= 1500, r.body).toBe(true);

  const attacked = await Promise.all(attack);
  // Nothing was refused by address (it cannot be known without a proxy); the queue turned the
  // surplus away and the first such refusal is in the audit log.
  expect(attacked.some((r) => r.body.includes("Too many failed sign-ins"))).toBe(false);
  const checked = attacked.filter((r) => r.body.includes("Wrong username or password.")).length;
  expect(checked).toBeLessThanOrEqual(10);
  expect(attacked.filter((r) => r.body.includes("Too many sign-ins for this user")).length).toBe(
    35 - checked,
  );
  expect(audited("session.lock-out", "sec-carol", before)).toBe(0);
  ensureUser("sec-carol", "admin"); // clears the attempts for later runs
});

test("30 parallel sign-ins, 29 wrong and the right one, check no more than the spaced turns", async ({
  request,
  baseURL,
}) => {
  ensureUser("sec-storm", "admin");
  const before = lastAuditId();
  const attempt = (password: string) =>
    postSignIn(request, baseURL!, { username: "sec-storm", password, address: "192.0.2.202" });
  const guesses = Array.from({ length: 29 }, (_, i) => attempt(`wrong-${i}`));
  // The right one goes out last, while the wrong ones are still being checked: it must not be
  // checked too (before the fix it was, and signed in).
  await new Promise((resolve) => setTimeout(resolve, 20));
  const results = await Promise.all([...guesses, attempt(TEST_PASSWORD)]);
  const wrong = results.filter((r) => r.body.includes("Wrong username or password.")).length;
  const busy = results.filter((r) => r.body.includes("Too many sign-ins for this user")).length;
  const signedIn = results.filter((r) => r.headers["set-cookie"]?.includes("jobdeck_session="));
  expect(wrong + busy + signedIn.length).toBe(30);
  // Without a trusted proxy no address is refused; the username's turns hold: 5 at once, then one
  // every 2 s up to the 10 s wait, so exactly 10 passwords were checked and 20 turned away.
  expect(wrong + signedIn.length).toBe(10);
  expect(busy).toBe(20);
  expect(results[29]?.body).toContain("Too many sign-ins for this user");
  expect(audited("session.sign-in-throttled", "sec-storm", before)).toBe(1);
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
