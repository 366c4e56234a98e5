/**
 * Authentication and authorisation for every page, server action and route handler. Server-only:
 * never import this from a client component.
 *
 * - Pages: `const user = await requireUser()` (redirects to /login when signed out).
 * - Server actions that change things: `const user = await requireAdminAction()` inside a
 *   try/catch turning `AuthError` into `{ ok: false, message }`.
 * - Route handlers: `const auth = await authorizeRequest(request, { mutation })`, then
 *   `if ("response" in auth) return auth.response`.
 *
 * proxy.ts also redirects signed-out page requests, but only as a fast path: these checks are the
 * enforcement.
 */
import { headers } from "next/headers";
import { redirect } from "next/navigation";
import type { UserRole } from "@/db/schema";
import { getStore } from "@/db/store";
import { clientAddress, crossSiteProblem, safeNextPath } from "./request-security";
import { PATH_HEADER, SESSION_COOKIE } from "./auth-constants";
import { readSessionCookie, verifySessionCookie } from "./session-cookie";

export { PATH_HEADER, SESSION_COOKIE };

/** The signed-in user (or API token) a request acts as. */
export type SessionUser = {
  id: number;
  username: string;
  role: UserRole;
  /** How the request was authenticated (default "session"); API tokens have id 0 and username `token:<name>`. */
  via?: "session" | "token";
};

/** Refusal of a server action: 401 (no valid session) or 403 (viewer, or cross-site). */
export class AuthError extends Error {
  readonly status: 401 | 403;
  constructor(status: 401 | 403, message: string) {
    super(message);
    this.name = "AuthError";
    this.status = status;
  }
}

/** The user behind a session cookie value, or null (bad signature, unknown, expired or idle). */
export async function userFromSessionCookie(
  value: string | null | undefined,
): Promise<SessionUser | null> {
  if (!value) return null;
  const { auth } = getStore();
  const token = verifySessionCookie(value, await auth.getSessionSecret());
  if (!token) return null;
  const owner = await auth.getSessionOwner(token);
  return owner
    ? { id: owner.id, username: owner.username, role: owner.role, via: "session" }
    : null;
}

/** The signed-in user of the current request (server components and actions), or null. */
export async function getCurrentUser(): Promise<SessionUser | null> {
  return userFromSessionCookie(readSessionCookie((await headers()).get("cookie")));
}

/** The signed-in user; redirects to `/login?next=<this page>` when there is none. For pages. */
export async function requireUser(): Promise<SessionUser> {
  const user = await getCurrentUser();
  if (user) return user;
  const path = safeNextPath((await headers()).get(PATH_HEADER));
  redirect(path === "/" ? "/login" : `/login?next=${encodeURIComponent(path)}`);
}

/**
 * For server actions of any signed-in user: same-origin request with a valid session.
 * Throws AuthError (403 cross-site, 401 signed out).
 */
export async function requireUserAction(): Promise<SessionUser> {
  const problem = crossSiteProblem(await headers(), { requireOrigin: true });
  if (problem) throw new AuthError(403, problem);
  const user = await getCurrentUser();
  if (!user) throw new AuthError(401, "Your session has ended: sign in again.");
  return user;
}

/**
 * For server actions that change anything: same-origin request, valid session, role admin.
 * Throws AuthError (403 cross-site or viewer, 401 signed out); the action returns `{ ok: false, message }`.
 */
export async function requireAdminAction(): Promise<SessionUser> {
  const user = await requireUserAction();
  if (user.role !== "admin") throw new AuthError(403, "Viewers can look but not change anything.");
  return user;
}

/** The client's address for the audit log (see clientAddress). */
export async function currentAddress(): Promise<string> {
  return clientAddress(await headers());
}

function jsonError(status: 401 | 403 | 405, error: string, message: string): Response {
  const extra: Record<string, string> =
    status === 401 ? { "WWW-Authenticate": 'Bearer realm="jobdeck"' } : {};
  return Response.json(
    { error, message },
    {
      status,
      headers: { "Cache-Control": "no-store", "X-Content-Type-Options": "nosniff", ...extra },
    },
  );
}

/** The API token in `Authorization: Bearer <token>`, or undefined when there is no such header. */
function bearerToken(request: Request): string | null | undefined {
  const header = request.headers.get("authorization");
  if (header === null) return undefined;
  const match = /^Bearer\s+(\S+)\s*$/i.exec(header);
  return match?.[1] ?? null;
}

async function userFromRequest(request: Request): Promise<SessionUser | null> {
  const bearer = bearerToken(request);
  if (bearer !== undefined) {
    if (bearer === null) return null;
    const token = await getStore().auth.findApiToken(bearer);
    return token
      ? { id: 0, username: `token:${token.name}`, role: token.role, via: "token" }
      : null;
  }
  return userFromSessionCookie(readSessionCookie(request.headers.get("cookie")));
}

/**
 * Authorises a route handler's request: session cookie or `Authorization: Bearer` API token.
 * Answers 401 without valid credentials, 403 for a cross-site mutation or a role below `role`
 * (default: admin for mutations, viewer otherwise), 405 for a mutation sent as GET/HEAD.
 * Error bodies are JSON `{ error, message }`.
 */
export async function authorizeRequest(
  request: Request,
  { mutation, role }: { mutation: boolean; role?: UserRole },
): Promise<{ user: SessionUser } | { response: Response }> {
  if (mutation && (request.method === "GET" || request.method === "HEAD")) {
    return { response: jsonError(405, "method_not_allowed", "Changes are never made by GET.") };
  }
  const usesBearer = request.headers.has("authorization");
  if (mutation) {
    // Browsers attach cookies to cross-site requests, never Authorization headers: only
    // cookie-authenticated mutations must prove their origin, but a foreign Origin is refused always.
    const problem = crossSiteProblem(request.headers, { requireOrigin: !usesBearer });
    if (problem) return { response: jsonError(403, "cross_site", problem) };
  }
  const user = await userFromRequest(request);
  if (!user) {
    return {
      response: jsonError(
        401,
        "unauthorized",
        "Sign in, or send a valid API token as Authorization: Bearer <token>.",
      ),
    };
  }
  const needed = role ?? (mutation ? "admin" : "viewer");
  if (needed === "admin" && user.role !== "admin") {
    return {
      response: jsonError(403, "forbidden", "This needs the admin role; viewers can only look."),
    };
  }
  return { user };
}
