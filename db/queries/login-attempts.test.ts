import { execFile } from "node:child_process";
import path from "node:path";
import { promisify } from "node:util";
import { beforeEach, describe, expect, it } from "vitest";
import { hashPasswordSync } from "../passwords";
import { listAudit } from "./audit";
import { checkSignIn, clearLoginLimits, reserveLoginAttempt } from "./login-attempts";
import { setupTestDb } from "./test-db";
import { createUser, setUserPassword } from "./users";
import { tally, TEST_LOGIN_LIMITS, UNSPACED_LOGIN_LIMITS } from "../testing/login-limits";

const PASSWORD = "Right-Horse-Battery-77";
const limits = TEST_LOGIN_LIMITS;
const unspaced = UNSPACED_LOGIN_LIMITS;
const t = setupTestDb();
beforeEach(() => {
  createUser(
    t.db,
    { username: "alice", passwordHash: hashPasswordSync(PASSWORD), role: "admin" },
    "t",
  );
});

const auditCount = (action: string) =>
  listAudit(t.db, { limit: 500 }).rows.filter((r) => r.action === action).length;

describe("sign-in limits under parallel storms", () => {
  it("200 parallel wrong passwords over two connections check exactly the limit", async () => {
    const second = t.connect();
    const outcomes = await Promise.all(
      Array.from({ length: 200 }, (_, i) =>
        checkSignIn(
          i % 2 ? t.db : second,
          { address: "192.0.2.1", username: "alice", password: `wrong-${i}` },
          { limits: unspaced },
        ),
      ),
    );
    expect(tally(outcomes)).toEqual({ wrong: 5, locked: 195 });
    expect(auditCount("session.sign-in-failed")).toBe(5);
    expect(auditCount("session.lock-out")).toBe(1);
  });

  it("29 wrong guesses and the right one in parallel never check more than the limit", async () => {
    const guesses = Array.from({ length: 30 }, (_, i) => (i === 29 ? PASSWORD : `wrong-${i}`));
    const outcomes = await Promise.all(
      guesses.map((password) =>
        checkSignIn(t.db, { address: "192.0.2.2", username: "alice", password }, { limits }),
      ),
    );
    const counts = tally(outcomes);
    // The right password came after five others had been counted: it is refused unchecked.
    expect(counts).toEqual({ wrong: 5, locked: 25 });
    expect(outcomes[29]).toMatchObject({ ok: false, reason: "locked" });
  });

  it("two processes storming at once together check exactly the limit", async () => {
    const run = promisify(execFile);
    const fixture = path.join(import.meta.dirname, "login-attempts-storm.fixture.ts");
    const child = () =>
      run(process.execPath, ["--import", "tsx", fixture, t.file, "alice", "100", "192.0.2.3"], {
        env: { ...process.env, STORM_LIMITS: JSON.stringify(unspaced) },
      }).then((r) => JSON.parse(r.stdout) as Record<string, number>);
    const [a, b] = await Promise.all([child(), child()]);
    expect((a.wrong ?? 0) + (b.wrong ?? 0)).toBe(5);
    expect((a.locked ?? 0) + (b.locked ?? 0)).toBe(195);
  }, 60_000);

  it("a storm from many addresses is spaced per user: only turns within the wait are checked", () => {
    const now = 1_000_000;
    const results = Array.from({ length: 100 }, (_, i) =>
      reserveLoginAttempt(t.db, `203.0.113.${i}`, "alice", { now, limits }),
    );
    const allowed = results.filter((r) => r.allowed);
    // 5 at once, then one turn every 2 s up to the 10 s wait: 5 more.
    expect(allowed.map((r) => r.waitMs)).toEqual([0, 0, 0, 0, 0, 2000, 4000, 6000, 8000, 10_000]);
    expect(results.filter((r) => !r.allowed && r.reason === "busy")).toHaveLength(90);
  });
});

describe("sign-in limits do not hand attackers a lock-out", () => {
  it("the real user signs in from another address while an attacker is locked out", async () => {
    for (let i = 0; i < 8; i++)
      await checkSignIn(
        t.db,
        { address: "198.51.100.66", username: "alice", password: `guess-${i}` },
        { limits: { ...limits, spacingMs: 10 } },
      );
    const attacker = await checkSignIn(
      t.db,
      { address: "198.51.100.66", username: "alice", password: PASSWORD },
      { limits },
    );
    expect(attacker).toMatchObject({ ok: false, reason: "locked" });
    const started = Date.now();
    const real = await checkSignIn(
      t.db,
      { address: "192.0.2.50", username: "alice", password: PASSWORD },
      { limits: { ...limits, spacingMs: 300 } },
    );
    expect(real).toMatchObject({ ok: true, user: { username: "alice" } });
    // Slowed down (a turn after the attacker's last), not refused.
    expect(Date.now() - started).toBeGreaterThanOrEqual(250);
  });

  it("an address is refused after 20 attempts across usernames, other addresses are not", () => {
    for (let i = 0; i < 20; i++)
      expect(
        reserveLoginAttempt(t.db, "192.0.2.7", `user${i}`, { now: 5000, limits }).allowed,
      ).toBe(true);
    expect(reserveLoginAttempt(t.db, "192.0.2.7", "fresh", { now: 6000, limits })).toMatchObject({
      allowed: false,
      reason: "locked",
      retryAfterMs: 5000 + limits.windowMs - 6000,
    });
    expect(reserveLoginAttempt(t.db, "192.0.2.8", "fresh", { now: 6000, limits }).allowed).toBe(
      true,
    );
  });

  it("a pair is free again once its oldest attempt leaves the window", () => {
    for (let i = 0; i < 5; i++) reserveLoginAttempt(t.db, "a", "alice", { now: i * 1000, limits });
    expect(
      reserveLoginAttempt(t.db, "a", "alice", { now: limits.windowMs - 1, limits }).allowed,
    ).toBe(false);
    expect(
      reserveLoginAttempt(t.db, "a", "alice", { now: limits.windowMs + 1, limits }).allowed,
    ).toBe(true);
  });

  it("a right password clears that address's count; failures and one lock-out are audited", async () => {
    for (let i = 0; i < 4; i++)
      await checkSignIn(t.db, { address: "a", username: "alice", password: "no" }, { limits });
    expect(
      await checkSignIn(t.db, { address: "a", username: "alice", password: PASSWORD }, { limits }),
    ).toMatchObject({ ok: true });
    for (let i = 0; i < 7; i++)
      await checkSignIn(
        t.db,
        { address: "a", username: "alice", password: "no" },
        { limits: unspaced },
      );
    expect(auditCount("session.sign-in-failed")).toBe(4 + 5);
    const lockouts = listAudit(t.db, { limit: 10 }).rows.filter(
      (r) => r.action === "session.lock-out",
    );
    expect(lockouts).toHaveLength(1);
    expect(lockouts[0]).toMatchObject({ target: "user:alice", address: "a" });
  });

  it("admin unlock and a new password clear a user's limits, audited", () => {
    for (let i = 0; i < 5; i++) reserveLoginAttempt(t.db, "a", "alice", { limits });
    expect(reserveLoginAttempt(t.db, "a", "alice", { limits }).allowed).toBe(false);
    expect(clearLoginLimits(t.db, { username: "Alice" }, "cli:ops")).toBe(6); // 5 + the lock-out marker
    expect(reserveLoginAttempt(t.db, "a", "alice", { limits }).allowed).toBe(true);
    expect(auditCount("user.unlock")).toBe(1);

    for (let i = 0; i < 5; i++) reserveLoginAttempt(t.db, "a", "alice", { limits });
    setUserPassword(t.db, "alice", hashPasswordSync("Other-Horse-Battery-88"), "cli:ops");
    expect(reserveLoginAttempt(t.db, "a", "alice", { limits }).allowed).toBe(true);

    for (let i = 0; i < 20; i++) reserveLoginAttempt(t.db, "b", `u${i}`, { limits });
    expect(reserveLoginAttempt(t.db, "b", "zed", { limits }).allowed).toBe(false);
    clearLoginLimits(t.db, { address: "b" }, "cli:ops");
    expect(reserveLoginAttempt(t.db, "b", "zed", { limits }).allowed).toBe(true);
  });
});

describe("an attack cannot shut the real user out", () => {
  const victim = "192.0.2.99";
  // The attack: the victim's own address (or one claiming it) fails 5 times, locking the pair,
  // and 100 guesses from as many addresses book the username's turns past the longest wait.
  function attack(now: number) {
    for (let i = 0; i < 5; i++) reserveLoginAttempt(t.db, victim, "alice", { now, limits });
    for (let i = 0; i < 100; i++)
      reserveLoginAttempt(t.db, `203.0.113.${i}`, "alice", { now, limits });
  }

  it("without a known device the real user is refused; with one she signs in at once", async () => {
    const now = Date.now();
    attack(now);
    const plain = { address: victim, username: "alice", password: PASSWORD };
    expect(await checkSignIn(t.db, plain, { now, limits })).toMatchObject({
      ok: false,
      reason: "locked",
    });
    expect(
      await checkSignIn(t.db, { ...plain, address: "192.0.2.100" }, { now, limits }),
    ).toMatchObject({ ok: false, reason: "busy" });
    const started = Date.now();
    const known = await checkSignIn(
      t.db,
      { ...plain, device: "dev-alice-0123456789abcd" },
      { now, limits },
    );
    expect(known).toMatchObject({ ok: true, user: { username: "alice" } });
    expect(Date.now() - started).toBeLessThan(1500);
  });

  it("a known device has its own budget: past it, the device counts for nothing", async () => {
    const now = Date.now();
    attack(now);
    const device = "dev-alice-0123456789abcd";
    for (let i = 0; i < 5; i++)
      expect(
        await checkSignIn(
          t.db,
          { address: victim, device, username: "alice", password: `guess-${i}` },
          { now, limits },
        ),
      ).toMatchObject({ ok: false, reason: "wrong" });
    // Budget spent: the right password now goes the way of any other attempt (the pair is locked).
    expect(
      await checkSignIn(
        t.db,
        { address: victim, device, username: "alice", password: PASSWORD },
        { now, limits },
      ),
    ).toMatchObject({ ok: false, reason: "locked" });
    // Another device of hers still has its budget; once the window frees slots, so does this one.
    expect(
      reserveLoginAttempt(t.db, { address: victim, device: "dev-other-0123456789abcd" }, "alice", {
        now,
        limits,
      }),
    ).toMatchObject({ allowed: true, waitMs: 0, device: true });
    expect(
      reserveLoginAttempt(t.db, { address: victim, device }, "alice", {
        now: now + limits.windowMs + 1,
        limits,
      }),
    ).toMatchObject({ allowed: true, device: true });
  });

  it("a right password through a device resets its budget", async () => {
    const device = "dev-alice-0123456789abcd";
    const at = (password: string) =>
      checkSignIn(t.db, { address: victim, device, username: "alice", password }, { limits });
    for (let i = 0; i < 4; i++) await at(`guess-${i}`);
    expect(await at(PASSWORD)).toMatchObject({ ok: true });
    for (let i = 0; i < 4; i++) await at(`guess-${i}`);
    expect(
      reserveLoginAttempt(t.db, { address: victim, device }, "alice", { limits }),
    ).toMatchObject({ allowed: true, device: true });
  });

  it("with the address unknown (no trusted proxy), no address is refused, the spacing holds", () => {
    const now = 5_000_000;
    const source = { address: victim, addressKnown: false };
    const results = Array.from({ length: 30 }, () =>
      reserveLoginAttempt(t.db, source, "alice", { now, limits }),
    );
    // Never "locked": 5 at once, then a turn every 2 s up to the 10 s wait, then "busy".
    expect(results.filter((r) => !r.allowed && r.reason === "locked")).toHaveLength(0);
    expect(results.filter((r) => r.allowed).map((r) => r.waitMs)).toEqual([
      0, 0, 0, 0, 0, 2000, 4000, 6000, 8000, 10_000,
    ]);
    // The per-address limit (20 across usernames) is off too.
    for (let i = 0; i < 25; i++)
      expect(reserveLoginAttempt(t.db, source, `user${i}`, { now, limits }).allowed).toBe(true);
    expect(auditCount("session.lock-out")).toBe(0);
    // With the address known (a trusted proxy), the same address is refused.
    expect(
      reserveLoginAttempt(t.db, { address: victim, addressKnown: true }, "carol", { now, limits }),
    ).toMatchObject({ allowed: false, reason: "locked" });
  });

  it("the first 'busy' of a username in a window is audited, once", () => {
    attack(1_000_000);
    const throttled = listAudit(t.db, { limit: 500 }).rows.filter(
      (r) => r.action === "session.sign-in-throttled",
    );
    expect(throttled).toHaveLength(1);
    expect(throttled[0]).toMatchObject({ target: "user:alice", actor: "anonymous" });
    // A new window, a new entry.
    for (let i = 0; i < 20; i++)
      reserveLoginAttempt(t.db, `198.18.0.${i}`, "alice", {
        now: 1_000_000 + limits.windowMs + 60_000,
        limits,
      });
    expect(auditCount("session.sign-in-throttled")).toBe(2);
  });
});
