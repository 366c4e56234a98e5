import { NextRequest } from "next/server";
import { describe, expect, it, vi } from "vitest";
import { proxy } from "@/proxy";

function call(url: string, init: { method?: string; headers?: Record<string, string> } = {}) {
  return proxy(new NextRequest(url, { method: init.method ?? "GET", headers: init.headers }));
}

describe("proxy.ts", () => {
  it("sends a fresh nonce CSP and the hardening headers with every response", () => {
    const a = call("http://127.0.0.1:3000/login");
    const b = call("http://127.0.0.1:3000/login");
    const csp = a.headers.get("content-security-policy") ?? "";
    expect(csp).toMatch(/script-src 'self' 'nonce-[A-Za-z0-9+/=]{20,}' 'strict-dynamic'/);
    for (const part of ["frame-ancestors 'none'", "object-src 'none'", "base-uri 'none'"])
      expect(csp).toContain(part);
    expect(csp).not.toContain("upgrade-insecure-requests");
    expect(b.headers.get("content-security-policy")).not.toBe(csp);
    expect(a.headers.get("x-content-type-options")).toBe("nosniff");
    expect(a.headers.get("referrer-policy")).toBe("same-origin");
    expect(a.headers.get("x-frame-options")).toBe("DENY");
  });

  it("passes the CSP and the requested path to the page, overriding any client value", () => {
    const response = call("http://127.0.0.1:3000/failures?page=2&_rsc=abc", {
      headers: { cookie: "jobdeck_session=x.y", "x-jobdeck-path": "//evil.example" },
    });
    expect(response.headers.get("x-middleware-request-x-jobdeck-path")).toBe("/failures?page=2");
    expect(response.headers.get("x-middleware-request-content-security-policy")).toContain(
      "'nonce-",
    );
  });

  it("redirects a page view without a session cookie to sign in, keeping the page", () => {
    const response = call("http://127.0.0.1:3000/jobs/7?tab=args");
    expect(response.status).toBe(307);
    // Next's adapter turns this same-host URL into a relative Location in the server.
    const location = new URL(response.headers.get("location") ?? "");
    expect(`${location.pathname}${location.search}`).toBe("/login?next=%2Fjobs%2F7%3Ftab%3Dargs");
    expect(new URL(call("http://127.0.0.1:3000/").headers.get("location") ?? "").pathname).toBe(
      "/login",
    );
    expect(call("http://127.0.0.1:3000/api/results").status).not.toBe(307);
  });

  it("answers 403 to cross-site or origin-less state changes before any handler runs", async () => {
    const host = { host: "127.0.0.1:3000" };
    const refused = [
      { ...host, origin: "https://evil.example", cookie: "jobdeck_session=x.y" },
      { ...host, origin: "http://127.0.0.1:3000", "sec-fetch-site": "cross-site" },
      { ...host, cookie: "jobdeck_session=x.y" },
      { ...host, origin: "https://evil.example", authorization: "Bearer jdk_x" },
    ];
    for (const headers of refused) {
      const response = call("http://127.0.0.1:3000/failures", { method: "POST", headers });
      expect(response.status).toBe(403);
      expect(await response.json()).toMatchObject({ error: "cross_site" });
    }
    expect(
      call("http://127.0.0.1:3000/failures", {
        method: "POST",
        headers: { ...host, origin: "http://127.0.0.1:3000" },
      }).status,
    ).toBe(200);
    expect(
      call("http://127.0.0.1:3000/api/v1/jobs", {
        method: "POST",
        headers: { ...host, authorization: "Bearer jdk_x" },
      }).status,
    ).toBe(200);
  });

  it("adds upgrade-insecure-requests behind a trusted HTTPS proxy, not for anyone's header", () => {
    const csp = () =>
      call("http://127.0.0.1:3000/login", {
        headers: { "x-forwarded-proto": "https" },
      }).headers.get("content-security-policy");
    expect(csp()).not.toContain("upgrade-insecure-requests");
    vi.stubEnv("JOBDECK_TRUST_PROXY", "1");
    try {
      expect(csp()).toContain("upgrade-insecure-requests");
    } finally {
      vi.unstubAllEnvs();
    }
  });

  it("refuses a state change whose Origin has the wrong scheme or a forged forwarded host", () => {
    const post = (headers: Record<string, string>) =>
      call("http://127.0.0.1:3000/failures", { method: "POST", headers }).status;
    expect(post({ host: "127.0.0.1:3000", origin: "https://127.0.0.1:3000" })).toBe(403);
    expect(
      post({
        host: "127.0.0.1:3000",
        origin: "http://evil.example",
        "x-forwarded-host": "evil.example",
      }),
    ).toBe(403);
  });
});
