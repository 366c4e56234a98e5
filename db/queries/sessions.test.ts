import { beforeEach, describe, expect, it } from "vitest";
import { hashPasswordSync } from "../passwords";
import {
  createSession,
  deleteSession,
  endSession,
  getSessionOwner,
  getSessionSecret,
  hashSessionToken,
  pruneSessions,
  startSession,
} from "./sessions";
import { listAudit } from "./audit";
import { setupTestDb } from "./test-db";
import { createUser, setUserPassword } from "./users";

const lifetimes = { idleMs: 60 * 60_000, absoluteMs: 24 * 3_600_000 };
const t = setupTestDb();
let userId: number;

beforeEach(() => {
  userId = createUser(
    t.db,
    { username: "alice", passwordHash: hashPasswordSync("x"), role: "viewer" },
    "test",
  ).id;
});

describe("sessions", () => {
  it("stores only the token's hash and finds the owner by token", () => {
    const { token } = createSession(t.db, userId, { now: 1000, lifetimes });
    const ids = t.db.$client.prepare(`SELECT id FROM sessions`).pluck().all();
    expect(ids).toEqual([hashSessionToken(token)]);
    expect(ids).not.toContain(token);
    expect(getSessionOwner(t.db, token, { now: 2000, lifetimes })).toMatchObject({
      id: userId,
      username: "alice",
      role: "viewer",
    });
    expect(getSessionOwner(t.db, token + "x", { now: 2000, lifetimes })).toBeNull();
  });

  it("ends a session left idle too long", () => {
    const { token } = createSession(t.db, userId, { now: 0, lifetimes });
    expect(getSessionOwner(t.db, token, { now: lifetimes.idleMs - 1, lifetimes })).not.toBeNull();
    // That use refreshed last_seen_at, so the idle clock restarts from there.
    expect(
      getSessionOwner(t.db, token, { now: 2 * lifetimes.idleMs - 2, lifetimes }),
    ).not.toBeNull();
    expect(getSessionOwner(t.db, token, { now: 4 * lifetimes.idleMs, lifetimes })).toBeNull();
    expect(t.db.$client.prepare(`SELECT COUNT(*) FROM sessions`).pluck().get()).toBe(0);
  });

  it("ends a session at its absolute expiry even when used all along", () => {
    const { token } = createSession(t.db, userId, { now: 0, lifetimes });
    for (let now = 0; now < lifetimes.absoluteMs; now += lifetimes.idleMs / 2) {
      expect(getSessionOwner(t.db, token, { now, lifetimes })).not.toBeNull();
    }
    expect(getSessionOwner(t.db, token, { now: lifetimes.absoluteMs, lifetimes })).toBeNull();
  });

  it("ends a session at sign-out and every session at a password change", () => {
    const a = createSession(t.db, userId, { now: 0, lifetimes });
    const b = createSession(t.db, userId, { now: 0, lifetimes });
    deleteSession(t.db, a.token);
    expect(getSessionOwner(t.db, a.token, { now: 1, lifetimes })).toBeNull();
    expect(getSessionOwner(t.db, b.token, { now: 1, lifetimes })).not.toBeNull();
    setUserPassword(t.db, "alice", hashPasswordSync("y"), "test");
    expect(getSessionOwner(t.db, b.token, { now: 2, lifetimes })).toBeNull();
  });

  it("audits a sign-out of a live session, and ends a dead one without an entry", () => {
    const live = createSession(t.db, userId, { now: 0, lifetimes });
    const idle = createSession(t.db, userId, { now: 0, lifetimes });
    expect(endSession(t.db, live.token, "192.0.2.1", { now: 10, lifetimes })).toBe(true);
    expect(endSession(t.db, live.token, "192.0.2.1", { now: 11, lifetimes })).toBe(false);
    expect(endSession(t.db, idle.token, "192.0.2.1", { now: lifetimes.idleMs, lifetimes })).toBe(
      false,
    );
    expect(t.db.$client.prepare(`SELECT COUNT(*) FROM sessions`).pluck().get()).toBe(0);
    const signOuts = listAudit(t.db, { limit: 10 }).rows.filter(
      (r) => r.action === "session.sign-out",
    );
    expect(signOuts).toEqual([
      expect.objectContaining({ actor: "alice", target: "user:alice", address: "192.0.2.1" }),
    ]);
  });

  it("audits a sign-in with the session it starts", () => {
    const { token } = startSession(t.db, { id: userId, username: "alice" }, "192.0.2.5", {
      now: 0,
      lifetimes,
    });
    expect(getSessionOwner(t.db, token, { now: 1, lifetimes })).toMatchObject({
      username: "alice",
    });
    const signIns = listAudit(t.db, { limit: 10 }).rows.filter(
      (r) => r.action === "session.sign-in",
    );
    expect(signIns).toEqual([
      expect.objectContaining({
        actor: "alice",
        target: "user:alice",
        address: "192.0.2.5",
      }),
    ]);
  });

  it("prunes expired and idle sessions only", () => {
    createSession(t.db, userId, { now: 0, lifetimes });
    const live = createSession(t.db, userId, { now: lifetimes.absoluteMs, lifetimes });
    expect(pruneSessions(t.db, { now: lifetimes.absoluteMs + 1, lifetimes })).toBe(1);
    expect(
      getSessionOwner(t.db, live.token, { now: lifetimes.absoluteMs + 2, lifetimes }),
    ).not.toBeNull();
  });

  it("generates the signing secret once and keeps it", () => {
    const saved = process.env.JOBDECK_SECRET;
    delete process.env.JOBDECK_SECRET;
    try {
      const first = getSessionSecret(t.db);
      expect(first.length).toBeGreaterThanOrEqual(40);
      expect(getSessionSecret(t.db)).toBe(first);
      process.env.JOBDECK_SECRET = "short";
      expect(() => getSessionSecret(t.db)).toThrow(/at least 32/);
      process.env.JOBDECK_SECRET = "k".repeat(40);
      expect(getSessionSecret(t.db)).toBe("k".repeat(40));
    } finally {
      if (saved === undefined) delete process.env.JOBDECK_SECRET;
      else process.env.JOBDECK_SECRET = saved;
    }
  });
});
