/**
 * Malformed and oversized requests against the running server: each gets a clear 4xx, never a
 * 5xx, and nothing is written.
 */
import { expect, test } from "@playwright/test";
import { malformedEnqueueBodies } from "./security-malformed";
import { e2eRows, e2eStore } from "./fixtures";
import { dataDigest, ensureUser, sessionCookie } from "./security-helpers";

let token = "";
test.beforeAll(async () => {
  const name = `sec-e2e-${Date.now()}`;
  token = (await e2eStore().auth.createApiToken({ name, role: "admin" }, "e2e")).token;
});

test("at least 100 malformed or oversized API requests each get a clear 4xx and write nothing", async ({
  request,
}) => {
  // A Content-Length larger than the body would make the server wait for bytes that never come.
  const corpus = malformedEnqueueBodies().filter(
    (c) => c.headers?.["content-length"] === undefined,
  );
  expect(corpus.length).toBeGreaterThanOrEqual(100);
  const before = dataDigest();
  for (const c of corpus) {
    const response = await request.post("/api/v1/jobs", {
      headers: {
        "content-type": "application/json",
        authorization: `Bearer ${token}`,
        ...c.headers,
      },
      data: typeof c.body === "string" ? c.body : Buffer.from(c.body),
    });
    const label = `${String(c.body).slice(0, 60)} ${JSON.stringify(c.headers ?? {})}`;
    expect(response.status(), label).toBe(c.status);
    const body = (await response.json()) as { message?: unknown };
    expect(typeof body.message, label).toBe("string");
  }
  expect(dataDigest()).toBe(before);
});

test("an admin session can enqueue through the API from this site, and the enqueue is audited", async ({
  request,
  baseURL,
}) => {
  const id = ensureUser("sec-api-admin", "admin");
  const response = await request.post("/api/v1/jobs", {
    headers: {
      "content-type": "application/json",
      cookie: `jobdeck_session=${sessionCookie(id, "valid")}`,
      origin: baseURL!.replace(/\/$/, ""),
    },
    data: JSON.stringify({ task: "demo.noop", delay: 86_400 }),
  });
  expect(response.status()).toBe(201);
  const { id: jobId } = (await response.json()) as { id: number };
  const audit = e2eRows().row("audit_log", { action: "job.enqueue", target: `job:${jobId}` });
  expect(audit?.actor).toBe("sec-api-admin");
  const read = await request.get(`/api/v1/jobs/${jobId}`, {
    headers: { authorization: `Bearer ${token}` },
  });
  expect(await read.json()).toMatchObject({
    job: { id: jobId, task: "demo.noop", status: "queued" },
  });
  e2eRows().remove("jobs", { id: jobId });
});

test("malformed sign-in posts are refused with a message and no session", async ({
  page,
  context,
}) => {
  await context.setExtraHTTPHeaders({ "X-Forwarded-For": "203.0.113.77" });
  await page.goto("/login");
  const cases: [string, string][] = [
    ["", ""],
    ["sec-nobody", ""],
    ["", "something-long-enough"],
    ["x".repeat(65), "something-long-enough"],
    ["sec-nobody", "p".repeat(2000)],
    ["<script>alert(1)</script>", "<img src=x onerror=alert(1)>"],
    ["admin' OR '1'='1", "' OR '1'='1"],
    ["\u0000admin", "\u0000"],
  ];
  for (const [username, password] of cases) {
    await page.getByLabel("Username").fill(username);
    await page.getByLabel("Password").fill(password);
    await page.getByRole("button", { name: "Sign in" }).click();
    await expect(page.locator("form").getByRole("alert"), username).toBeVisible();
    expect((await context.cookies()).some((c) => c.name === "jobdeck_session")).toBe(false);
  }
  e2eRows().remove("login_attempts", { address: "203.0.113.77" });
});

test("a change is refused when the Origin has the wrong scheme or a forged X-Forwarded-Host matches it", async ({
  request,
  baseURL,
}) => {
  const id = ensureUser("sec-origin-admin", "admin");
  const site = new URL(baseURL!);
  const enqueue = (headers: Record<string, string>) =>
    request.post("/api/v1/jobs", {
      headers: {
        "content-type": "application/json",
        cookie: `jobdeck_session=${sessionCookie(id, "valid")}`,
        ...headers,
      },
      data: JSON.stringify({ task: "demo.noop", delay: 86_400 }),
    });
  // Same host and port, other scheme: another origin (this server is http://, no proxy trusted).
  const https = await enqueue({ origin: `https://${site.host}` });
  expect(https.status()).toBe(403);
  expect(await https.json()).toMatchObject({ error: "cross_site" });
  // X-Forwarded-Host counts only from a trusted proxy (JOBDECK_TRUST_PROXY), not from anyone.
  const forged = await enqueue({
    origin: "http://evil.example",
    "x-forwarded-host": "evil.example",
  });
  expect(forged.status()).toBe(403);
});
