/**
 * Runs before every request (Next 16's proxy, formerly middleware): security headers with a
 * per-request CSP nonce, the requested path for `/login?next=`, and a fast redirect to /login for
 * page requests without a session cookie. It only checks that a cookie is present; pages, route
 * handlers and server actions verify it themselves (app/_lib/auth.ts). That is the enforcement.
 */
import { NextResponse, type NextRequest } from "next/server";
import { PATH_HEADER, SESSION_COOKIE } from "@/app/_lib/auth-constants";
import { crossSiteProblem, isHttps } from "@/app/_lib/request-security";

function contentSecurityPolicy(nonce: string, https: boolean): string {
  const isDev = process.env.NODE_ENV === "development";
  return [
    "default-src 'self'",
    // Next reads the nonce from this header and puts it on its own scripts; 'strict-dynamic'
    // lets those load their chunks. Nothing else runs: no inline handlers, no javascript: URLs.
    `script-src 'self' 'nonce-${nonce}' 'strict-dynamic'${isDev ? " 'unsafe-eval'" : ""}`,
    // Inline style attributes (React, charts) are allowed; styles cannot run code.
    "style-src 'self' 'unsafe-inline'",
    "img-src 'self' data: blob:",
    "font-src 'self'",
    "connect-src 'self'",
    "object-src 'none'",
    "base-uri 'none'",
    "form-action 'self'",
    "frame-ancestors 'none'",
    ...(https ? ["upgrade-insecure-requests"] : []),
  ].join("; ");
}

function securityHeaders(response: NextResponse, csp: string): NextResponse {
  response.headers.set("Content-Security-Policy", csp);
  response.headers.set("X-Content-Type-Options", "nosniff");
  response.headers.set("Referrer-Policy", "same-origin");
  response.headers.set("X-Frame-Options", "DENY");
  response.headers.set("Cross-Origin-Opener-Policy", "same-origin");
  response.headers.set(
    "Permissions-Policy",
    "camera=(), microphone=(), geolocation=(), payment=()",
  );
  return response;
}

/** Adds security headers to every response; redirects signed-out page views to /login. */
export function proxy(request: NextRequest) {
  const nonce = Buffer.from(crypto.getRandomValues(new Uint8Array(16))).toString("base64");
  // X-Forwarded-Proto counts only from a trusted proxy (JOBDECK_TRUST_PROXY).
  const https = isHttps(request.headers, request.nextUrl.href);
  const csp = contentSecurityPolicy(nonce, https);
  const { pathname } = request.nextUrl;
  // The page the user asked for, without Next's client-navigation cache-busting parameter.
  const query = new URLSearchParams(request.nextUrl.searchParams);
  query.delete("_rsc");
  const search = query.size > 0 ? `?${query.toString()}` : "";

  // Every state change (server actions included) must come from this site. Next's own server
  // action check answers a foreign Origin with 500; this answers 403 before any handler runs.
  // Handlers and actions repeat the check themselves (app/_lib/auth.ts).
  if (!["GET", "HEAD", "OPTIONS"].includes(request.method)) {
    const problem = crossSiteProblem(request.headers, {
      requireOrigin: !request.headers.has("authorization"),
    });
    if (problem) {
      return securityHeaders(
        NextResponse.json(
          { error: "cross_site", message: problem },
          { status: 403, headers: { "Cache-Control": "no-store" } },
        ),
        csp,
      );
    }
  }

  const isPageView =
    (request.method === "GET" || request.method === "HEAD") &&
    !pathname.startsWith("/api/") &&
    pathname !== "/login" &&
    !request.headers.has("next-action");
  if (isPageView && !request.cookies.has(SESSION_COOKIE)) {
    // Absolute here (Next's adapter needs it); Next sends it as a relative Location because the
    // host matches the request's, so users on 127.0.0.1 stay on 127.0.0.1.
    const login = new URL("/login", request.url);
    if (pathname !== "/") login.searchParams.set("next", `${pathname}${search}`.slice(0, 2000));
    return securityHeaders(NextResponse.redirect(login), csp);
  }

  const requestHeaders = new Headers(request.headers);
  requestHeaders.set("Content-Security-Policy", csp);
  // Overwrites anything the client sent under this name.
  requestHeaders.set(PATH_HEADER, `${pathname}${search}`.slice(0, 2000));
  return securityHeaders(NextResponse.next({ request: { headers: requestHeaders } }), csp);
}

export const config = {
  matcher: [
    {
      // The icons in public/ are served to everyone, signed in or not (no page lives there).
      source: "/((?!_next/static|_next/image|favicon\\.ico|favicon\\.svg).*)",
    },
  ],
};
