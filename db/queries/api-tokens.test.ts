import { describe, expect, it } from "vitest";
import {
  createApiToken,
  findApiToken,
  hashApiToken,
  listApiTokens,
  revokeApiToken,
} from "./api-tokens";
import { listAudit } from "./audit";
import { setupTestDb } from "./test-db";

const t = setupTestDb();

describe("API tokens", () => {
  it("stores only a hash and finds the live token by its value", () => {
    const { token, info } = createApiToken(t.db, { name: "billing", role: "admin" }, "cli");
    expect(token).toMatch(/^jdk_[A-Za-z0-9_-]{43}$/);
    const stored = t.db.$client.prepare(`SELECT token_hash FROM api_tokens`).pluck().get();
    expect(stored).toBe(hashApiToken(token));
    expect(findApiToken(t.db, token)).toMatchObject({
      id: info.id,
      name: "billing",
      role: "admin",
    });
    // Another last character (the token's own is "A" one time in 64).
    const other = token.endsWith("A") ? "B" : "A";
    expect(findApiToken(t.db, token.slice(0, -1) + other)).toBeNull();
    expect(findApiToken(t.db, "not-a-token")).toBeNull();
  });

  it("refuses a revoked token and audits creation and revocation", () => {
    const { token, info } = createApiToken(t.db, { name: "reporting", role: "viewer" }, "cli");
    revokeApiToken(t.db, info.id, "cli");
    expect(findApiToken(t.db, token)).toBeNull();
    expect(() => revokeApiToken(t.db, info.id, "cli")).toThrow(/already revoked/);
    expect(() => revokeApiToken(t.db, 999, "cli")).toThrow(/No API token/);
    expect(listApiTokens(t.db)[0]?.revokedAt).not.toBeNull();
    expect(listAudit(t.db, { limit: 10 }).rows.map((r) => r.action)).toEqual([
      "token.revoke",
      "token.create",
    ]);
  });

  it("refuses bad names and roles", () => {
    expect(() => createApiToken(t.db, { name: " ", role: "admin" }, "cli")).toThrow(/token name/);
    expect(() => createApiToken(t.db, { name: "a\nb", role: "admin" }, "cli")).toThrow(
      /token name/,
    );
    expect(() => createApiToken(t.db, { name: "svc\uD800", role: "admin" }, "cli")).toThrow(
      /token name must not contain a lone surrogate/,
    );
    // @ts-expect-error: a role outside the list, as the CLI could pass
    expect(() => createApiToken(t.db, { name: "x", role: "root" }, "cli")).toThrow(/role must be/);
  });
});
