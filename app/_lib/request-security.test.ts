import { afterEach, describe, expect, it, vi } from "vitest";
import {
  clientAddress,
  clientAddressIsKnown,
  crossSiteProblem,
  isHttps,
  safeNextPath,
  siteOrigin,
  trustedProxyCount,
} from "./request-security";

afterEach(() => vi.unstubAllEnvs());

const h = (init: Record<string, string>) => new Headers(init);

describe("same-origin checks", () => {
  it("accepts a same-origin browser request", () => {
    expect(
      crossSiteProblem(
        h({
          host: "127.0.0.1:3000",
          origin: "http://127.0.0.1:3000",
          "sec-fetch-site": "same-origin",
        }),
        { requireOrigin: true },
      ),
    ).toBeNull();
  });

  it("refuses foreign, opaque and missing origins and cross-site fetches", () => {
    const cases: Record<string, string>[] = [
      { host: "127.0.0.1:3000", origin: "http://evil.example" },
      { host: "127.0.0.1:3000", origin: "null" },
      { host: "127.0.0.1:3000", origin: "http://127.0.0.1:3000", "sec-fetch-site": "cross-site" },
      { host: "127.0.0.1:3000", origin: "http://127.0.0.1:3000", "sec-fetch-site": "same-site" },
      { host: "127.0.0.1:3000", origin: "http://127.0.0.1:3001" },
      { host: "127.0.0.1:3000", origin: "not a url" },
      { host: "127.0.0.1:3000" },
    ];
    for (const c of cases)
      expect(crossSiteProblem(h(c), { requireOrigin: true })).toMatch(/refused/);
  });

  it("lets bearer clients without Origin through but never a foreign Origin", () => {
    expect(crossSiteProblem(h({ host: "x" }), { requireOrigin: false })).toBeNull();
    expect(
      crossSiteProblem(h({ host: "x", origin: "https://evil.example" }), { requireOrigin: false }),
    ).toMatch(/refused/);
  });
});

describe("the origin check compares scheme, host and port", () => {
  const problem = (headers: Record<string, string>) =>
    crossSiteProblem(h(headers), { requireOrigin: true });

  it("refuses an https Origin on the http site, and an http Origin on the https site", () => {
    expect(problem({ host: "jobs.example.com", origin: "https://jobs.example.com" })).toMatch(
      /refused.*JOBDECK_TRUST_PROXY=1/,
    );
    vi.stubEnv("JOBDECK_TRUST_PROXY", "1");
    const behindProxy = { host: "jobs.example.com", "x-forwarded-proto": "https" };
    expect(problem({ ...behindProxy, origin: "https://jobs.example.com" })).toBeNull();
    expect(problem({ ...behindProxy, origin: "http://jobs.example.com" })).toMatch(/refused/);
    expect(problem({ ...behindProxy, origin: "https://jobs.example.com:8443" })).toMatch(/refused/);
  });

  it("ignores X-Forwarded-Host and -Proto unless a proxy is trusted", () => {
    const forged = {
      host: "127.0.0.1:3000",
      "x-forwarded-host": "evil.example",
      "x-forwarded-proto": "https",
      origin: "https://evil.example",
    };
    expect(problem(forged)).toMatch(/refused/);
    expect(siteOrigin(h(forged))).toBe("http://127.0.0.1:3000");
    expect(isHttps(h(forged))).toBe(false);
    vi.stubEnv("JOBDECK_TRUST_PROXY", "1");
    // The trusted proxy sets these; then they describe the site the browser sees.
    expect(siteOrigin(h(forged))).toBe("https://evil.example");
    expect(isHttps(h(forged))).toBe(true);
  });

  it("normalises default ports and allows listed origins", () => {
    expect(problem({ host: "jobs.example.com:80", origin: "http://jobs.example.com" })).toBeNull();
    vi.stubEnv("JOBDECK_ALLOWED_ORIGINS", "https://jobs.example.com/");
    expect(problem({ host: "127.0.0.1:3000", origin: "https://jobs.example.com" })).toBeNull();
  });

  it("reads the trusted-proxy setting strictly", () => {
    expect(trustedProxyCount()).toBe(0);
    for (const [value, n] of [
      ["1", 1],
      ["true", 1],
      ["2", 2],
      ["0", 0],
      ["false", 0],
    ] as const) {
      vi.stubEnv("JOBDECK_TRUST_PROXY", value);
      expect(trustedProxyCount(), value).toBe(n);
    }
    vi.stubEnv("JOBDECK_TRUST_PROXY", "yes please");
    expect(() => trustedProxyCount()).toThrow(/JOBDECK_TRUST_PROXY="yes please" must be 0/);
    vi.stubEnv("JOBDECK_TRUST_PROXY", "");
    vi.stubEnv("JOBDECK_TRUSTED_PROXIES", "1");
    expect(trustedProxyCount()).toBe(2);
  });
});

describe("redirect targets and addresses", () => {
  it("percent-encodes a non-Latin-1 next, so it is a valid Location", () => {
    expect(safeNextPath("/\u3002")).toBe("/%E3%80%82");
    expect(safeNextPath("/failures?q=\u00e9t\u00e9 x")).toBe("/failures?q=%C3%A9t%C3%A9%20x");
    expect(safeNextPath("/\ud800")).toBe("/%EF%BF%BD");
    expect(() => new Headers({ location: safeNextPath("/\u3002") })).not.toThrow();
    expect(safeNextPath("/login?next=/x")).toBe("/");
  });

  it("only follows local paths after sign-in", () => {
    expect(safeNextPath("/failures?page=2")).toBe("/failures?page=2");
    for (const bad of [
      "//evil.example",
      "https://evil.example",
      "/\\evil.example",
      "javascript:alert(1)",
      "/login",
      "",
      null,
      "/a\nb",
    ]) {
      expect(safeNextPath(bad)).toBe("/");
    }
  });

  it("takes the right-most forwarded address", () => {
    expect(clientAddress(h({ "x-forwarded-for": "1.1.1.1, 10.0.0.5" }))).toBe("10.0.0.5");
    expect(clientAddress(h({}))).toBe("unknown");
    vi.stubEnv("JOBDECK_TRUST_PROXY", "2");
    expect(clientAddress(h({ "x-forwarded-for": "6.6.6.6, 1.1.1.1, 10.0.0.5" }))).toBe("1.1.1.1");
  });
});

describe("whether the client address can be believed", () => {
  it("only with a trusted proxy: without one, X-Forwarded-For is whatever the client sent", () => {
    vi.stubEnv("JOBDECK_TRUST_PROXY", "");
    vi.stubEnv("JOBDECK_TRUSTED_PROXIES", "");
    expect(clientAddressIsKnown()).toBe(false);
    vi.stubEnv("JOBDECK_TRUST_PROXY", "1");
    expect(clientAddressIsKnown()).toBe(true);
    vi.stubEnv("JOBDECK_TRUST_PROXY", "0");
    expect(clientAddressIsKnown()).toBe(false);
  });
});
