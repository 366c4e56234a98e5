import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { closeAllStores, getStore } from "@/db/store";
import { authorizeRequest } from "./auth";
import { signSessionToken } from "./session-cookie";

const dir = fs.mkdtempSync(path.join(os.tmpdir(), "jobdeck-auth-"));
const cookies: Record<string, string> = {};
let adminToken = "";
let viewerToken = "";
let revokedToken = "";

beforeAll(async () => {
  process.env.DATABASE_URL = path.join(dir, "auth.db");
  const { auth } = getStore();
  const secret = await auth.getSessionSecret();
  for (const role of ["admin", "viewer"] as const) {
    const user = await auth.createUser({ username: role, passwordHash: "unused", role }, "test");
    const { token } = await auth.createSession(user.id);
    cookies[role] = `jobdeck_session=${signSessionToken(token, secret)}`;
  }
  const expired = await auth.createSession(1, {
    now: 0,
    lifetimes: { idleMs: 1, absoluteMs: 1 },
  });
  cookies.expired = `jobdeck_session=${signSessionToken(expired.token, secret)}`;
  cookies.tampered = cookies.admin!.replace(/.$/, (c) => (c === "A" ? "B" : "A"));
  cookies.unsigned = `jobdeck_session=${(await auth.createSession(1)).token}`;
  adminToken = (await auth.createApiToken({ name: "svc", role: "admin" }, "test")).token;
  viewerToken = (await auth.createApiToken({ name: "ro", role: "viewer" }, "test")).token;
  const revoked = await auth.createApiToken({ name: "old", role: "admin" }, "test");
  await auth.revokeApiToken(revoked.info.id, "test");
  revokedToken = revoked.token;
});
afterAll(async () => {
  await closeAllStores();
  fs.rmSync(dir, { recursive: true, force: true });
});

const same = {
  host: "127.0.0.1:3000",
  origin: "http://127.0.0.1:3000",
  "sec-fetch-site": "same-origin",
};

async function status(init: RequestInit & { headers?: Record<string, string> }, mutation: boolean) {
  const result = await authorizeRequest(new Request("http://127.0.0.1:3000/api/x", init), {
    mutation,
  });
  return "response" in result ? result.response.status : 200;
}

describe("authorizeRequest", () => {
  it("answers 401 without credentials or with expired, tampered or unsigned cookies", async () => {
    for (const cookie of [
      undefined,
      cookies.expired,
      cookies.tampered,
      cookies.unsigned,
      "jobdeck_session=garbage",
    ]) {
      const headers: Record<string, string> = { ...same, ...(cookie ? { cookie } : {}) };
      expect(await status({ headers }, false)).toBe(401);
      expect(await status({ method: "POST", headers }, true)).toBe(401);
    }
    const response = await authorizeRequest(new Request("http://x/api"), { mutation: false });
    expect("response" in response && (await response.response.json())).toMatchObject({
      error: "unauthorized",
    });
  });

  it("lets a viewer read but not change", async () => {
    expect(await status({ headers: { ...same, cookie: cookies.viewer! } }, false)).toBe(200);
    expect(
      await status({ method: "POST", headers: { ...same, cookie: cookies.viewer! } }, true),
    ).toBe(403);
    expect(
      await status({ method: "POST", headers: { ...same, cookie: cookies.admin! } }, true),
    ).toBe(200);
  });

  it("refuses cross-site and origin-less cookie mutations and GET mutations", async () => {
    const admin = cookies.admin!;
    expect(
      await status(
        {
          method: "POST",
          headers: { host: same.host, origin: "http://evil.example", cookie: admin },
        },
        true,
      ),
    ).toBe(403);
    expect(
      await status(
        { method: "DELETE", headers: { ...same, "sec-fetch-site": "cross-site", cookie: admin } },
        true,
      ),
    ).toBe(403);
    expect(
      await status({ method: "POST", headers: { host: same.host, cookie: admin } }, true),
    ).toBe(403);
    expect(await status({ method: "GET", headers: { ...same, cookie: admin } }, true)).toBe(405);
  });

  it("accepts live bearer tokens by role and refuses revoked or malformed ones", async () => {
    const bearer = (t: string) => ({ host: same.host, authorization: `Bearer ${t}` });
    expect(await status({ method: "POST", headers: bearer(adminToken) }, true)).toBe(200);
    expect(await status({ method: "POST", headers: bearer(viewerToken) }, true)).toBe(403);
    expect(await status({ headers: bearer(viewerToken) }, false)).toBe(200);
    expect(await status({ headers: bearer(revokedToken) }, false)).toBe(401);
    expect(await status({ headers: { authorization: "Basic abc" } }, false)).toBe(401);
    // A bad bearer header is not rescued by a valid cookie.
    expect(
      await status({ headers: { ...bearer("jdk_nope"), cookie: cookies.admin! } }, false),
    ).toBe(401);
  });
});
