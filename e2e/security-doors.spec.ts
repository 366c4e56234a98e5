/**
 * Every door locked: the build's pages, route handlers and server actions are enumerated from
 * .next's manifests, so a new endpoint is covered (or fails here) without editing this file.
 */
import { expect, test, type APIRequestContext } from "@playwright/test";
import {
  builtActions,
  builtRoutes,
  concretePath,
  dataDigest,
  ensureUser,
  isAuthRefusal,
  removeRows,
  seedRows,
  sessionCookie,
  type BuiltAction,
  type CookieKind,
  type SeededRows,
} from "./security-helpers";

/** Endpoints that must work signed out. Anything else signed out is refused. */
const PUBLIC_PAGES = new Set(["/login"]);
const PUBLIC_ACTIONS = new Set(["app/login/actions.ts#signIn"]);
/** Read-only actions a viewer may call (they still need a session and this site's origin). */
const VIEWER_ACTIONS = new Set(["app/(dashboard)/schedules/actions.ts#previewScheduleAction"]);
const SENTINEL = `DOORS-SENTINEL-${Date.now()}`;
const BAD_COOKIES: (CookieKind | "none")[] = [
  "none",
  "expired",
  "idle",
  "tampered",
  "unsigned",
  "garbage",
];
const MUTATING_METHODS = ["POST", "PUT", "PATCH", "DELETE"] as const;

let seeded: SeededRows;
let ids: Record<string, string>;
let adminId: number;
let viewerId: number;

test.beforeAll(() => {
  seeded = seedRows([{ text: SENTINEL, json: JSON.stringify({ sentinel: SENTINEL }) }]);
  ids = {
    id: String(seeded.resultIds[0]),
    "/jobs/[id]:id": String(seeded.resultIds[0]),
    "/api/v1/jobs/[id]:id": String(seeded.resultIds[0]),
    "/schedules/[id]:id": String(seeded.scheduleIds[0]),
  };
  adminId = ensureUser("sec-door-admin", "admin");
  viewerId = ensureUser("sec-door-viewer", "viewer");
});
test.afterAll(() => removeRows(seeded));

function cookieHeader(kind: CookieKind | "none", userId = adminId): Record<string, string> {
  return kind === "none" ? {} : { cookie: `jobdeck_session=${sessionCookie(userId, kind)}` };
}

/** Argument lists tried on every action: the refusal must come whatever the arguments. */
function argumentShapes(): unknown[][] {
  const failure = seeded.resultIds[0]!;
  const job = seeded.jobIds[0]!;
  const schedule = seeded.scheduleIds[0]!;
  return [
    [],
    [[failure]],
    [failure],
    [[job]],
    [job],
    [schedule],
    [[schedule]],
    ["failure", ""],
    ["retry", "failure", ""],
    ["delete", "failure", ""],
    [""],
    [{ ok: true, message: "" }, {}],
  ];
}

async function callAction(
  request: APIRequestContext,
  baseURL: string,
  action: BuiltAction,
  args: unknown[],
  headers: Record<string, string>,
) {
  const response = await request.post(action.pagePath, {
    headers: {
      "next-action": action.id,
      "content-type": "text/plain;charset=UTF-8",
      accept: "text/x-component",
      origin: baseURL.replace(/\/$/, ""),
      ...headers,
    },
    data: JSON.stringify(args),
    maxRedirects: 0,
  });
  return { status: response.status(), headers: response.headers(), body: await response.text() };
}

test("the build has pages, route handlers and server actions to check", () => {
  const routes = builtRoutes();
  expect(routes.some((r) => r.kind === "page" && r.path !== "/login")).toBe(true);
  expect(routes.some((r) => r.kind === "route")).toBe(true);
  expect(builtActions().length).toBeGreaterThan(0);
});

test("every page sends a visitor without a valid session to sign in", async ({ request }) => {
  const pages = builtRoutes().filter((r) => r.kind === "page" && !PUBLIC_PAGES.has(r.path));
  for (const pageRoute of pages) {
    const url = concretePath(pageRoute.path, ids);
    for (const kind of BAD_COOKIES) {
      const response = await request.get(url, { headers: cookieHeader(kind), maxRedirects: 0 });
      const body = await response.text();
      const where = `${url} with ${kind} cookie`;
      expect(body, where).not.toContain(SENTINEL);
      if (response.status() >= 300 && response.status() < 400) {
        expect(response.headers().location, where).toMatch(/\/login/);
      } else {
        // A redirect thrown after streaming began arrives as a 200 with Next's redirect marker.
        expect(response.status(), where).toBe(200);
        expect(body, where).toMatch(/NEXT_REDIRECT[^"]*\/login|\/login\?next=/);
      }
    }
  }
});

test("every route handler answers 401 without a valid session, whatever the method", async ({
  request,
  baseURL,
}) => {
  const routes = builtRoutes().filter((r) => r.kind === "route");
  const before = dataDigest();
  for (const route of routes) {
    const url = concretePath(route.path, ids);
    for (const kind of BAD_COOKIES) {
      const headers = { ...cookieHeader(kind), origin: baseURL!.replace(/\/$/, "") };
      // A method the handler does not export gets 405 from Next; every exported one must say 401.
      let unauthorized = 0;
      for (const method of ["GET", ...MUTATING_METHODS]) {
        const response = await request.fetch(url, {
          method,
          headers: { ...headers, "content-type": "application/json" },
          ...(method === "GET" ? {} : { data: JSON.stringify({ task: "demo.noop", ids: [1] }) }),
          maxRedirects: 0,
        });
        const where = `${method} ${url} with ${kind} cookie`;
        expect([401, 405], where).toContain(response.status());
        expect(await response.text(), where).not.toContain(SENTINEL);
        if (response.status() === 401) unauthorized += 1;
      }
      expect(unauthorized, `${url} with ${kind} cookie`).toBeGreaterThan(0);
    }
  }
  expect(dataDigest()).toBe(before);
});

test("every server action refuses without a valid session and changes nothing", async ({
  request,
  baseURL,
}) => {
  const actions = builtActions().filter(
    (a) => !PUBLIC_ACTIONS.has(`${a.filename}#${a.exportedName}`),
  );
  const before = dataDigest();
  for (const action of actions) {
    for (const kind of ["none", "expired", "tampered", "unsigned"] as const) {
      let refusals = 0;
      for (const args of argumentShapes()) {
        const r = await callAction(request, baseURL!, action, args, cookieHeader(kind));
        const where = `${action.filename}#${action.exportedName}(${JSON.stringify(args)}) with ${kind} cookie`;
        expect(r.status, where).toBeLessThan(500);
        expect(r.body, where).not.toMatch(/"ok":true/);
        if (isAuthRefusal(r.status, r.headers, r.body)) refusals += 1;
      }
      expect(
        refusals,
        `${action.filename}#${action.exportedName} never said "sign in" (${kind} cookie)`,
      ).toBeGreaterThan(0);
    }
  }
  expect(dataDigest()).toBe(before);
});

test("viewers and cross-site requests are refused on every mutation, with the database unchanged", async ({
  request,
  baseURL,
}) => {
  const origin = baseURL!.replace(/\/$/, "");
  const before = dataDigest();
  const variants: { name: string; headers: () => Record<string, string>; needsRefusal: boolean }[] =
    [
      { name: "viewer", headers: () => cookieHeader("valid", viewerId), needsRefusal: true },
      {
        name: "admin from a foreign origin",
        headers: () => ({ ...cookieHeader("valid"), origin: "https://evil.example" }),
        needsRefusal: true,
      },
      {
        name: "admin with Sec-Fetch-Site cross-site",
        headers: () => ({ ...cookieHeader("valid"), "sec-fetch-site": "cross-site" }),
        needsRefusal: true,
      },
      {
        name: "admin with Origin null",
        headers: () => ({ ...cookieHeader("valid"), origin: "null" }),
        needsRefusal: true,
      },
    ];
  const actions = builtActions().filter((a) => a.exportedName !== "signOut");
  for (const variant of variants) {
    for (const action of actions) {
      const key = `${action.filename}#${action.exportedName}`;
      const viewerMayCall = PUBLIC_ACTIONS.has(key) || VIEWER_ACTIONS.has(key);
      if (viewerMayCall && variant.name === "viewer") {
        // Allowed, but malformed arguments must still get an answer, not a crash.
        for (const args of argumentShapes()) {
          const r = await callAction(request, baseURL!, action, args, variant.headers());
          expect(
            r.status,
            `${action.exportedName}(${JSON.stringify(args)}) as viewer`,
          ).toBeLessThan(500);
        }
        continue;
      }
      let refusals = 0;
      for (const args of argumentShapes()) {
        const r = await callAction(request, baseURL!, action, args, variant.headers());
        const where = `${action.exportedName}(${JSON.stringify(args)}) as ${variant.name}`;
        expect(r.status, where).toBeLessThan(500);
        expect(r.body, where).not.toMatch(/"ok":true/);
        if (isAuthRefusal(r.status, r.headers, r.body)) refusals += 1;
      }
      expect(refusals, `${action.exportedName} as ${variant.name}`).toBeGreaterThan(0);
    }
    for (const route of builtRoutes().filter((r) => r.kind === "route")) {
      const url = concretePath(route.path, ids);
      for (const method of MUTATING_METHODS) {
        const response = await request.fetch(url, {
          method,
          headers: { origin, ...variant.headers(), "content-type": "application/json" },
          data: JSON.stringify({ task: "demo.noop" }),
          maxRedirects: 0,
        });
        expect([403, 405], `${method} ${url} as ${variant.name}`).toContain(response.status());
      }
    }
  }
  expect(dataDigest()).toBe(before);
});
