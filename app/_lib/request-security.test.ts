import { describe, expect, it } from "vitest";
import { clientAddress, crossSiteProblem, safeNextPath } from "./request-security";

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

describe("redirect targets and addresses", () => {
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
  });
});
