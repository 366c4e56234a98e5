import { describe, expect, it } from "vitest";
import { hashPasswordSync, verifyPassword } from "../passwords";
import { pgAuthStore } from "../pg/store/auth";
import { DIALECTS, useTestConnection } from "../testing/dialects";
import { auditRows, readRows, secondAuthStore } from "../testing/pgauth-rows";
import { sqliteAuthStore } from "./auth";
import { tally, TEST_LOGIN_LIMITS, UNSPACED_LOGIN_LIMITS } from "../testing/login-limits";

const PASSWORD = "Right-Horse-Battery-77";
const HASH = hashPasswordSync(PASSWORD);
const T0 = 1_800_000_000_000;
const lifetimes = { idleMs: 30 * 60_000, absoluteMs: 24 * 3_600_000 };
const limits = TEST_LOGIN_LIMITS;
const unspaced = UNSPACED_LOGIN_LIMITS;

describe.each(DIALECTS)("auth on %s", (dialect) => {
  const conn = useTestConnection(dialect);
  const store = () =>
    dialect === "sqlite" ? sqliteAuthStore(() => conn().sqlite!) : pgAuthStore(conn().pool!);
  const actions = async () => (await auditRows(conn())).map((r) => r.action);
  const alice = () =>
    store().createUser({ username: "alice", passwordHash: HASH, role: "admin" }, "t");

  describe("users", () => {
    it("creates, lists in byte order, counts and finds users", async () => {
      const s = store();
      const bob = await s.createUser({ username: "bob", passwordHash: HASH, role: "viewer" }, "t");
      await s.createUser({ username: "alice", passwordHash: HASH, role: "admin" }, "t");
      await s.createUser({ username: "Zed", passwordHash: HASH, role: "admin" }, "t");
      expect(bob).toMatchObject({ username: "bob", role: "viewer" });
      expect(bob.createdAt).toBe(bob.updatedAt);
      expect(typeof bob.id).toBe("number");
      expect((await s.listUsers()).map((u) => u.username)).toEqual(["Zed", "alice", "bob"]);
      expect(await s.countUsers()).toBe(3);
      expect(await s.getUserById(bob.id)).toEqual(bob);
      expect(await s.getUserByUsername("bob")).toEqual(bob);
      expect(await s.getUserByUsername("Bob")).toBeNull();
      expect(await s.getUserById(9999)).toBeNull();
      expect((await auditRows(conn()))[0]).toMatchObject({
        action: "user.create",
        actor: "t",
        target: "user:bob",
        after: '{"role":"viewer"}',
      });
    });

    it("refuses taken, malformed and unknown names with the same errors", async () => {
      const s = store();
      await alice();
      await expect(alice()).rejects.toThrow('A user named "alice" already exists');
      await expect(
        s.createUser({ username: "no spaces", passwordHash: HASH, role: "admin" }, "t"),
      ).rejects.toThrow(/A username is 1 to 64/);
      await expect(
        s.createUser({ username: "x", passwordHash: HASH, role: "root" as "admin" }, "t"),
      ).rejects.toThrow('role must be one of admin, viewer, got "root"');
      await expect(s.setUserPassword("nobody", HASH, "t")).rejects.toThrow(
        'No user named "nobody"',
      );
      await expect(s.setUserRole("nobody", "viewer", "t")).rejects.toThrow(
        'No user named "nobody"',
      );
      await expect(s.deleteUser("nobody", "t")).rejects.toThrow('No user named "nobody"');
      expect(await actions()).toEqual(["user.create"]);
    });

    it("of 10 concurrent creations of one name, exactly one succeeds", async () => {
      const second = secondAuthStore(conn());
      try {
        const results = await Promise.allSettled(
          Array.from({ length: 10 }, (_, i) =>
            (i % 2 ? second.store : store()).createUser(
              { username: "carol", passwordHash: HASH, role: "viewer" },
              "t",
            ),
          ),
        );
        expect(results.filter((r) => r.status === "fulfilled")).toHaveLength(1);
        for (const r of results.filter((r) => r.status === "rejected"))
          expect(String((r as PromiseRejectedResult).reason)).toContain("already exists");
        expect(await actions()).toEqual(["user.create"]);
      } finally {
        await second.close();
      }
    });

    it("a new password ends sessions and lifts limits; role changes and removal end sessions; all audited", async () => {
      const s = store();
      const user = await alice();
      const one = await s.createSession(user.id, { now: T0, lifetimes });
      await s.reserveLoginAttempt("192.0.2.9", "Alice", { now: T0, limits });
      await s.setUserPassword("alice", hashPasswordSync("Another-Horse-88"), "admin-a");
      expect(await s.getSessionOwner(one.token, { now: T0 + 1, lifetimes })).toBeNull();
      expect(await readRows(conn(), `SELECT * FROM login_attempts`)).toEqual([]);
      const two = await s.createSession(user.id, { now: T0, lifetimes });
      await s.setUserRole("alice", "viewer", "admin-a");
      expect(await s.getSessionOwner(two.token, { now: T0 + 1, lifetimes })).toBeNull();
      expect((await s.getUserByUsername("alice"))!.role).toBe("viewer");
      await s.createSession(user.id, { now: T0, lifetimes });
      await s.deleteUser("alice", "admin-a");
      expect(await s.countUsers()).toBe(0);
      expect(await readRows(conn(), `SELECT * FROM sessions`)).toEqual([]);
      const rows = await auditRows(conn());
      expect(rows.map((r) => [r.action, r.actor, r.target, r.before, r.after])).toEqual([
        ["user.create", "t", "user:alice", null, '{"role":"admin"}'],
        ["user.password", "admin-a", "user:alice", null, null],
        ["user.role", "admin-a", "user:alice", '{"role":"admin"}', '{"role":"viewer"}'],
        ["user.delete", "admin-a", "user:alice", '{"role":"viewer"}', null],
      ]);
      expect(JSON.stringify(rows)).not.toContain(HASH);
    });

    it("creates the first admin once, with a working random password", async () => {
      const s = store();
      const first = await s.ensureInitialAdmin();
      expect(first?.username).toBe("admin");
      expect(await s.ensureInitialAdmin()).toBeNull();
      const [row] = await readRows<{ password_hash: string; role: string }>(
        conn(),
        `SELECT password_hash, role FROM users`,
      );
      expect(row!.role).toBe("admin");
      expect(await verifyPassword(first!.password, row!.password_hash)).toBe(true);
      expect((await auditRows(conn()))[0]).toMatchObject({
        action: "user.create",
        actor: "system",
        target: "user:admin",
        after: '{"role":"admin","reason":"first start"}',
      });
    });

    it("of 8 processes starting at once on two connections, exactly one creates the admin", async () => {
      const second = secondAuthStore(conn());
      try {
        const results = await Promise.all(
          Array.from({ length: 8 }, (_, i) =>
            (i % 2 ? second.store : store()).ensureInitialAdmin(),
          ),
        );
        expect(results.filter((r) => r !== null)).toHaveLength(1);
        expect(await store().countUsers()).toBe(1);
        expect(await actions()).toEqual(["user.create"]);
      } finally {
        await second.close();
      }
    });
  });

  describe("sessions", () => {
    it("stores only the token's hash; finds the owner until idle or absolute expiry", async () => {
      const s = store();
      const user = await alice();
      const { token, expiresAt } = await s.createSession(user.id, { now: T0, lifetimes });
      expect(expiresAt).toBe(T0 + lifetimes.absoluteMs);
      const stored = await readRows<{ id: string }>(conn(), `SELECT id FROM sessions`);
      expect(stored[0]!.id).not.toBe(token);
      expect(stored[0]!.id).toMatch(/^[0-9a-f]{64}$/);
      expect(await s.getSessionOwner(token, { now: T0 + 1000, lifetimes })).toEqual({
        id: user.id,
        username: "alice",
        role: "admin",
        sessionExpiresAt: expiresAt,
      });
      expect(await s.getSessionOwner("nope", { now: T0, lifetimes })).toBeNull();
      // Idle too long: ended and its row deleted.
      expect(await s.getSessionOwner(token, { now: T0 + lifetimes.idleMs, lifetimes })).toBeNull();
      expect(await readRows(conn(), `SELECT id FROM sessions`)).toEqual([]);
      // Used all along, it still ends at its absolute expiry.
      const other = await s.createSession(user.id, { now: T0, lifetimes });
      for (let t = T0; t < expiresAt; t += lifetimes.idleMs / 2)
        expect(await s.getSessionOwner(other.token, { now: t, lifetimes })).not.toBeNull();
      expect(await s.getSessionOwner(other.token, { now: expiresAt, lifetimes })).toBeNull();
    });

    it("refreshes last_seen_at at most once a minute", async () => {
      const s = store();
      const user = await alice();
      const { token } = await s.createSession(user.id, { now: T0, lifetimes });
      const seen = async () =>
        (await readRows<{ t: number }>(conn(), `SELECT last_seen_at AS t FROM sessions`))[0]!.t;
      await s.getSessionOwner(token, { now: T0 + 59_999, lifetimes });
      expect(await seen()).toBe(T0);
      await s.getSessionOwner(token, { now: T0 + 60_000, lifetimes });
      expect(await seen()).toBe(T0 + 60_000);
      await s.getSessionOwner(token, { now: T0 + 100_000, lifetimes });
      expect(await seen()).toBe(T0 + 60_000);
    });

    it("uses the database's clock when no time is given", async () => {
      const s = store();
      const user = await alice();
      const before = Date.now();
      const { token, expiresAt } = await s.createSession(user.id, { lifetimes });
      expect(expiresAt - lifetimes.absoluteMs).toBeGreaterThanOrEqual(before - 5000);
      expect(expiresAt - lifetimes.absoluteMs).toBeLessThanOrEqual(Date.now() + 5000);
      expect(await s.getSessionOwner(token, { lifetimes })).not.toBeNull();
    });

    it("audits sign-in and sign-out of a live session; a dead or repeated sign-out is not audited", async () => {
      const s = store();
      const user = await alice();
      const live = await s.startSession(user, "192.0.2.5", { now: T0, lifetimes });
      expect(await s.getSessionOwner(live.token, { now: T0, lifetimes })).not.toBeNull();
      expect(await s.endSession(live.token, "192.0.2.6", { now: T0 + 1, lifetimes })).toBe(true);
      expect(await s.endSession(live.token, "192.0.2.6", { now: T0 + 2, lifetimes })).toBe(false);
      const dead = await s.createSession(user.id, { now: T0, lifetimes });
      expect(
        await s.endSession(dead.token, null, { now: T0 + lifetimes.absoluteMs, lifetimes }),
      ).toBe(false);
      expect(await readRows(conn(), `SELECT id FROM sessions`)).toEqual([]);
      const rows = (await auditRows(conn())).slice(1);
      expect(rows.map((r) => [r.action, r.actor, r.target, r.address])).toEqual([
        ["session.sign-in", "alice", "user:alice", "192.0.2.5"],
        ["session.sign-out", "alice", "user:alice", "192.0.2.6"],
      ]);
    });

    it("of concurrent sign-outs of one session, exactly one is audited", async () => {
      const user = await alice();
      const second = secondAuthStore(conn());
      try {
        const { token } = await store().createSession(user.id, { now: T0, lifetimes });
        const ended = await Promise.all(
          Array.from({ length: 6 }, (_, i) =>
            (i % 2 ? second.store : store()).endSession(token, null, { now: T0 + 1, lifetimes }),
          ),
        );
        expect(ended.filter(Boolean)).toHaveLength(1);
        expect((await actions()).filter((a) => a === "session.sign-out")).toHaveLength(1);
      } finally {
        await second.close();
      }
    });

    it("deletes one session, and prunes expired and idle ones only", async () => {
      const s = store();
      const user = await alice();
      const gone = await s.createSession(user.id, { now: T0, lifetimes });
      await s.deleteSession(gone.token);
      expect(await s.getSessionOwner(gone.token, { now: T0, lifetimes })).toBeNull();
      const old = await s.createSession(user.id, { now: T0 - lifetimes.absoluteMs, lifetimes });
      const idle = await s.createSession(user.id, { now: T0 - lifetimes.idleMs, lifetimes });
      const fresh = await s.createSession(user.id, { now: T0 - 1000, lifetimes });
      expect(await s.pruneSessions({ now: T0, lifetimes })).toBe(2);
      expect(await s.getSessionOwner(fresh.token, { now: T0, lifetimes })).not.toBeNull();
      expect(await s.getSessionOwner(old.token, { now: T0, lifetimes })).toBeNull();
      expect(await s.getSessionOwner(idle.token, { now: T0, lifetimes })).toBeNull();
    });

    it("generates the signing secret once: concurrent first uses agree on the first written", async () => {
      const saved = process.env.JOBDECK_SECRET;
      delete process.env.JOBDECK_SECRET;
      const second = secondAuthStore(conn());
      try {
        const secrets = await Promise.all(
          Array.from({ length: 8 }, (_, i) => (i % 2 ? second.store : store()).getSessionSecret()),
        );
        expect(new Set(secrets).size).toBe(1);
        expect(secrets[0]!.length).toBeGreaterThanOrEqual(32);
        expect(await store().getSessionSecret()).toBe(secrets[0]);
        process.env.JOBDECK_SECRET = "short";
        await expect(store().getSessionSecret()).rejects.toThrow(/at least 32 characters/);
        process.env.JOBDECK_SECRET = "x".repeat(32);
        expect(await store().getSessionSecret()).toBe("x".repeat(32));
      } finally {
        if (saved === undefined) delete process.env.JOBDECK_SECRET;
        else process.env.JOBDECK_SECRET = saved;
        await second.close();
      }
    });
  });

  describe("API tokens", () => {
    it("stores only a hash, finds the live token, writes last use at most once a minute", async () => {
      const s = store();
      const user = await alice();
      const { token, info } = await s.createApiToken(
        { name: " deploy bot ", role: "viewer", createdBy: user.id },
        "alice",
      );
      expect(token).toMatch(/^jdk_/);
      expect(info).toMatchObject({ name: "deploy bot", role: "viewer", createdBy: user.id });
      expect(info.lastUsedAt).toBeNull();
      expect(info.revokedAt).toBeNull();
      const stored = await readRows<{ h: string }>(
        conn(),
        `SELECT token_hash AS h FROM api_tokens`,
      );
      expect(stored[0]!.h).not.toContain(token);
      expect(await s.findApiToken(token, T0)).toEqual(info);
      const used = async () =>
        (await readRows<{ t: number }>(conn(), `SELECT last_used_at AS t FROM api_tokens`))[0]!.t;
      expect(await used()).toBe(T0);
      expect((await s.findApiToken(token, T0 + 59_999))!.lastUsedAt).toBe(T0);
      expect(await used()).toBe(T0);
      await s.findApiToken(token, T0 + 60_000);
      expect(await used()).toBe(T0 + 60_000);
      expect(await s.findApiToken("jdk_unknown", T0)).toBeNull();
      expect(await s.findApiToken("not-a-token", T0)).toBeNull();
      expect(await s.findApiToken(`jdk_${"x".repeat(300)}`, T0)).toBeNull();
    });

    it("lists newest first, revokes once, refuses revoked tokens; audited", async () => {
      const s = store();
      const a = await s.createApiToken({ name: "a", role: "admin" }, "alice");
      const b = await s.createApiToken({ name: "b", role: "viewer" }, "alice");
      expect((await s.listApiTokens()).map((t) => t.name)).toEqual(["b", "a"]);
      await s.revokeApiToken(a.info.id, "alice");
      expect(await s.findApiToken(a.token, T0)).toBeNull();
      expect(await s.findApiToken(b.token, T0)).not.toBeNull();
      expect((await s.listApiTokens())[1]!.revokedAt).not.toBeNull();
      await expect(s.revokeApiToken(a.info.id, "alice")).rejects.toThrow(
        `API token ${a.info.id} is already revoked`,
      );
      await expect(s.revokeApiToken(999, "alice")).rejects.toThrow("No API token with id 999");
      const rows = await auditRows(conn());
      expect(rows.map((r) => [r.action, r.target, r.before, r.after])).toEqual([
        ["token.create", `token:${a.info.id}`, null, '{"name":"a","role":"admin"}'],
        ["token.create", `token:${b.info.id}`, null, '{"name":"b","role":"viewer"}'],
        ["token.revoke", `token:${a.info.id}`, '{"name":"a"}', null],
      ]);
    });

    it("refuses bad names and roles", async () => {
      const s = store();
      await expect(s.createApiToken({ name: "  ", role: "admin" }, "t")).rejects.toThrow(
        "A token name is 1 to 100 printable characters",
      );
      await expect(s.createApiToken({ name: "a\u0000b", role: "admin" }, "t")).rejects.toThrow(
        "A token name is 1 to 100 printable characters",
      );
      await expect(s.createApiToken({ name: "a\uD800b", role: "admin" }, "t")).rejects.toThrow(
        /lone surrogate/,
      );
      await expect(s.createApiToken({ name: "ok", role: "owner" as "admin" }, "t")).rejects.toThrow(
        /role must be one of/,
      );
      expect(await s.listApiTokens()).toEqual([]);
    });
  });

  describe("sign-in limits", () => {
    it("50 parallel wrong passwords from two pools check exactly the limit", async () => {
      await alice();
      const second = secondAuthStore(conn());
      try {
        const outcomes = await Promise.all(
          Array.from({ length: 50 }, (_, i) =>
            (i % 2 ? second.store : store()).checkSignIn(
              { address: "192.0.2.1", username: "alice", password: `wrong-${i}` },
              { limits: unspaced },
            ),
          ),
        );
        expect(tally(outcomes)).toEqual({ wrong: 5, locked: 45 });
        const acts = await actions();
        expect(acts.filter((a) => a === "session.sign-in-failed")).toHaveLength(5);
        expect(acts.filter((a) => a === "session.lock-out")).toHaveLength(1);
        const counted = await readRows(
          conn(),
          `SELECT id FROM login_attempts WHERE kind = 'attempt'`,
        );
        expect(counted).toHaveLength(5);
      } finally {
        await second.close();
      }
    });

    it("parallel guesses from many addresses are spaced per user: only turns within the wait", async () => {
      await alice();
      const second = secondAuthStore(conn());
      try {
        const results = await Promise.all(
          Array.from({ length: 30 }, (_, i) =>
            (i % 2 ? second.store : store()).reserveLoginAttempt(`10.0.0.${i}`, "alice", {
              now: T0,
              limits,
            }),
          ),
        );
        // 5 at once, then one turn every 2 s up to 10 s ahead: 5 more.
        const allowed = results.filter((r) => r.allowed);
        expect(allowed).toHaveLength(10);
        expect(allowed.map((r) => (r.allowed ? r.waitMs : -1)).sort((a, b) => a - b)).toEqual([
          0, 0, 0, 0, 0, 2000, 4000, 6000, 8000, 10_000,
        ]);
        expect(results.filter((r) => !r.allowed && r.reason === "busy")).toHaveLength(20);
        expect((await actions()).filter((a) => a === "session.sign-in-throttled")).toHaveLength(1);
      } finally {
        await second.close();
      }
    });

    it("a right password signs in and clears that address's count; locked pairs report when to retry", async () => {
      const s = store();
      await alice();
      const at = (ms: number) => ({ now: T0 + ms, limits });
      for (let i = 0; i < 4; i++) await s.reserveLoginAttempt("192.0.2.2", "ALICE", at(i));
      const ok = await s.checkSignIn(
        { address: "192.0.2.2", username: "alice", password: PASSWORD },
        { now: T0 + 10, limits },
      );
      expect(ok.ok && ok.user.username).toBe("alice");
      expect(ok.ok && ok.user.passwordHash).toBe(HASH);
      expect(await readRows(conn(), `SELECT id FROM login_attempts`)).toEqual([]);
      for (let i = 0; i < 5; i++)
        expect((await s.reserveLoginAttempt("192.0.2.3", "alice", at(i * 1000))).allowed).toBe(
          true,
        );
      const refused = await s.reserveLoginAttempt("192.0.2.3", "alice", at(5000));
      expect(refused).toEqual({
        allowed: false,
        reason: "locked",
        retryAfterMs: limits.windowMs - 5000,
      });
      // Once the oldest attempt leaves the window, the pair is free again.
      expect((await s.reserveLoginAttempt("192.0.2.3", "alice", at(limits.windowMs))).allowed).toBe(
        true,
      );
      const unknown = await s.checkSignIn(
        { address: "192.0.2.4", username: "Nobody", password: PASSWORD },
        { limits },
      );
      expect(unknown).toEqual({ ok: false, reason: "wrong" });
      const failed = (await auditRows(conn())).filter((r) => r.action === "session.sign-in-failed");
      expect(failed.map((r) => [r.actor, r.target, r.address])).toEqual([
        ["anonymous", "user:nobody", "192.0.2.4"],
      ]);
      const lockouts = (await auditRows(conn())).filter((r) => r.action === "session.lock-out");
      expect(lockouts.map((r) => [r.target, r.address])).toEqual([["user:alice", "192.0.2.3"]]);
    });

    it("an address is refused after its limit across usernames; unknown addresses are never refused", async () => {
      const s = store();
      for (let i = 0; i < 20; i++)
        expect(
          (await s.reserveLoginAttempt("192.0.2.7", `u${i}`, { now: T0, limits })).allowed,
        ).toBe(true);
      expect((await s.reserveLoginAttempt("192.0.2.7", "u99", { now: T0, limits })).allowed).toBe(
        false,
      );
      expect((await s.reserveLoginAttempt("192.0.2.8", "u99", { now: T0, limits })).allowed).toBe(
        true,
      );
      const unknown = { address: "192.0.2.7", addressKnown: false };
      expect((await s.reserveLoginAttempt(unknown, "u98", { now: T0, limits })).allowed).toBe(true);
    });

    it("a known device has its own budget, and goes first while within it", async () => {
      const s = store();
      await alice();
      for (let i = 0; i < 5; i++)
        await s.reserveLoginAttempt("192.0.2.9", "alice", { now: T0, limits });
      expect((await s.reserveLoginAttempt("192.0.2.9", "alice", { now: T0, limits })).allowed).toBe(
        false,
      );
      const device = { address: "192.0.2.9", device: "dev-1" };
      for (let i = 0; i < 5; i++)
        expect(await s.reserveLoginAttempt(device, "alice", { now: T0, limits })).toMatchObject({
          allowed: true,
          waitMs: 0,
          device: true,
        });
      expect((await s.reserveLoginAttempt(device, "alice", { now: T0, limits })).allowed).toBe(
        false,
      );
      const rows = await readRows<{ address: string }>(
        conn(),
        `SELECT address FROM login_attempts WHERE kind = 'attempt' AND address LIKE 'device:%'`,
      );
      expect(rows).toHaveLength(5);
      expect(rows[0]!.address).toBe("device:dev-1");
    });

    it("clears limits by username or address, audited with the count", async () => {
      const s = store();
      await s.reserveLoginAttempt("192.0.2.1", "Alice", { now: T0, limits });
      await s.reserveLoginAttempt("192.0.2.2", "alice", { now: T0, limits });
      await s.reserveLoginAttempt("192.0.2.1", "bob", { now: T0, limits });
      expect(await s.clearLoginLimits({ username: "ALICE" }, "admin-a")).toBe(2);
      expect(await s.clearLoginLimits({ address: "192.0.2.1" }, "admin-a")).toBe(1);
      await expect(s.clearLoginLimits({}, "admin-a")).rejects.toThrow(
        "clearLoginLimits needs a username or an address",
      );
      const rows = await auditRows(conn());
      expect(rows.map((r) => [r.action, r.actor, r.target, r.after])).toEqual([
        ["user.unlock", "admin-a", "user:alice", '{"username":"ALICE","address":null,"cleared":2}'],
        [
          "user.unlock",
          "admin-a",
          "address:192.0.2.1",
          '{"username":null,"address":"192.0.2.1","cleared":1}',
        ],
      ]);
    });
  });
});
