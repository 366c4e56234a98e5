/**
 * Helpers of the security specs (e2e/security-*.spec.ts): the database the web server uses, users
 * with known passwords, crafted session cookies, a digest of the data a mutation could change, and
 * the list of pages, route handlers and server actions the build produced.
 *
 * The database is DATABASE_URL as seen by the test process (the Playwright config must set
 * process.env.DATABASE_URL for the web server and the tests alike), else e2e/.tmp/e2e.db.
 */
import fs from "node:fs";
import path from "node:path";
import type { Page } from "@playwright/test";
import { signSessionToken } from "@/app/_lib/session-cookie";
import { createTestSession, ensureUser as ensureUserRow } from "@/db/testing/dash-security";

export {
  dataDigest,
  removeRows,
  seedRows,
  SEEDED_ID_BASE,
  type HostileFields,
  type SeededRows,
} from "@/db/testing/dash-security";

/** Password of every user these specs create. */
export const TEST_PASSWORD = "e2e-security-Passw0rd!";

/** Creates (or resets) a user with TEST_PASSWORD and the role; returns its id. */
export function ensureUser(username: string, role: "admin" | "viewer"): number {
  return ensureUserRow(username, role, TEST_PASSWORD);
}

/** Kinds of session cookie a spec can present. */
export type CookieKind = "valid" | "expired" | "idle" | "tampered" | "unsigned" | "garbage";

/** A `jobdeck_session` cookie value for a user, valid or broken in the given way. */
export function sessionCookie(userId: number, kind: CookieKind): string {
  if (kind === "garbage") return "not-a-session";
  const age = kind === "expired" || kind === "idle" ? kind : "fresh";
  const { token, secret } = createTestSession(userId, age);
  if (kind === "unsigned") return token;
  const signed = signSessionToken(token, secret);
  if (kind === "tampered") return signed.replace(/^./, (c) => (c === "A" ? "B" : "A"));
  return signed;
}

/** Signs in through the form and waits until the browser has left /login. */
export async function signInThroughForm(
  page: Page,
  username: string,
  password = TEST_PASSWORD,
  next?: string,
) {
  await page.goto(next ? `/login?next=${encodeURIComponent(next)}` : "/login");
  await page.getByLabel("Username").fill(username);
  await page.getByLabel("Password").fill(password);
  await page.getByRole("button", { name: "Sign in" }).click();
}

const NEXT_DIR = path.resolve(process.cwd(), ".next");

function readJson<T>(file: string): T {
  return JSON.parse(fs.readFileSync(path.join(NEXT_DIR, file), "utf8")) as T;
}

/** Every app route of the build: `{ kind: "page" | "route", path }` (e.g. `/api/v1/jobs/[id]`). */
export function builtRoutes(): { kind: "page" | "route"; path: string }[] {
  const routes = readJson<Record<string, string>>("app-path-routes-manifest.json");
  return Object.entries(routes)
    .filter(([key]) => !key.includes("/_not-found") && !key.includes("/_global-error"))
    .map(([key, route]) => ({
      kind: key.endsWith("/route") ? ("route" as const) : ("page" as const),
      path: route,
    }));
}

/** One server action of the build: its id, module, export name, and a page path that serves it. */
export interface BuiltAction {
  id: string;
  filename: string;
  exportedName: string;
  pagePath: string;
}

/** Every server action in the build's server-reference manifest. */
export function builtActions(): BuiltAction[] {
  const manifest = readJson<{
    node: Record<
      string,
      { filename?: string; exportedName?: string; workers: Record<string, unknown> }
    >;
  }>("server/server-reference-manifest.json");
  const routes = readJson<Record<string, string>>("app-path-routes-manifest.json");
  return Object.entries(manifest.node).map(([id, entry]) => {
    const worker = Object.keys(entry.workers)[0] ?? "app/page";
    const pagePath = routes[`/${worker.replace(/^app\//, "")}`] ?? "/";
    return {
      id,
      filename: entry.filename ?? "?",
      exportedName: entry.exportedName ?? "?",
      pagePath,
    };
  });
}

/** A concrete URL for a route pattern: `[id]`-like segments become `ids[segment]` or "1". */
export function concretePath(pattern: string, ids: Record<string, string> = {}): string {
  return pattern.replace(
    /\[\[?\.{0,3}([^\]]+)\]\]?/g,
    (_m, name: string) => ids[`${pattern}:${name}`] ?? ids[name] ?? "1",
  );
}

/** True when an action response refuses for lack of a session, role or origin. */
export function isAuthRefusal(
  status: number,
  headers: Record<string, string>,
  body: string,
): boolean {
  if (status === 401 || status === 403) return true;
  const redirect = headers["x-action-redirect"] ?? headers.location ?? "";
  if (redirect.startsWith("/login")) return true;
  return /session has ended|sign in again|Viewers can look|Cross-site request refused|Request refused/i.test(
    body,
  );
}
