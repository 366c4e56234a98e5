import { afterEach, beforeEach, describe, expect, it } from "vitest";
import type { Db } from "../client";
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
import { openTestDb } from "./test-db";
import { createUser, setUserPassword } from "./users";

const lifetimes = { idleMs: 60 * 60_000, absoluteMs: 24 * 3_600_000 };
let db: Db;
let cleanup: () => void;
let userId: number;

beforeEach(() => {
  ({ db, cleanup } = openTestDb());
  userId = createUser(
    db,
    { username: "alice", passwordHash: hashPasswordSync("x"), role: "viewer" },
    "test",
  ).id;
});
afterEach(() => cleanup());

describe("sessions", () => {
  it("stores only the token's hash and finds the owner by token", () => {
    const { token } = createSession(db, userId, { now: 1000, lifetimes });
    const ids = db.$client.prepare(`SELECT id FROM sessions`).pluck().all();
    expect(ids).toEqual([hashSessionToken(token)]);
    expect(ids).not.toContain(token);
    expect(getSessionOwner(db, token, { now: 2000, lifetimes })).toMatchObject({
      id: userId,
      username: "alice",
      role: "viewer",
    });
    expect(getSessionOwner(db, token + "x", { now: 2000, lifetimes })).toBeNull();
  });

  it("ends a session left idle too long", () => {
    const { token } = createSession(db, userId, { now: 0, lifetimes });
    expect(getSessionOwner(db, token, { now: lifetimes.idleMs - 1, lifetimes })).not.toBeNull();
    // That use refreshed last_seen_at, so the idle clock restarts from there.
    expect(getSessionOwner(db, token, { now: 2 * lifetimes.idleMs - 2, lifetimes })).not.toBeNull();
    expect(getSessionOwner(db, token, { now: 4 * lifetimes.idleMs, lifetimes })).toBeNull();
    expect(db.$client.prepare(`SELECT COUNT(*) FROM sessions`).pluck().get()).toBe(0);
  });

  it("ends a session at its absolute expiry even when used all along", () => {
    const { token } = createSession(db, userId, { now: 0, lifetimes });
    for (let t = 0; t < lifetimes.absoluteMs; t += lifetimes.idleMs / 2) {
      expect(getSessionOwner(db, token, { now: t, lifetimes })).not.toBeNull();
    }
    expect(getSessionOwner(db, token, { now: lifetimes.absoluteMs, lifetimes })).toBeNull();
  });

  it("ends a session at sign-out and every session at a password change", () => {
    const a = createSession(db, userId, { now: 0, lifetimes });
    const b = createSession(db, userId, { now: 0, lifetimes });
    deleteSession(db, a.token);
    expect(getSessionOwner(db, a.token, { now: 1, lifetimes })).toBeNull();
    expect(getSessionOwner(db, b.token, { now: 1, lifetimes })).not.toBeNull();
    setUserPassword(db, "alice", hashPasswordSync("y"), "test");
    expect(getSessionOwner(db, b.token, { now: 2, lifetimes })).toBeNull();
  });

  it("audits a sign-out of a live session, and ends a dead one without an entry", () => {
    const live = createSession(db, userId, { now: 0, lifetimes });
    const idle = createSession(db, userId, { now: 0, lifetimes });
    expect(endSession(db, live.token, "192.0.2.1", { now: 10, lifetimes })).toBe(true);
    expect(endSession(db, live.token, "192.0.2.1", { now: 11, lifetimes })).toBe(false);
    expect(endSession(db, idle.token, "192.0.2.1", { now: lifetimes.idleMs, lifetimes })).toBe(
      false,
    );
    expect(db.$client.prepare(`SELECT COUNT(*) FROM sessions`).pluck().get()).toBe(0);
    const signOuts = listAudit(db, { limit: 10 }).rows.filter(
      (r) => r.action === "session.sign-out",
    );
    expect(signOuts).toEqual([
      expect.objectContaining({ actor: "alice", target: "user:alice", address: "192.0.2.1" }),
    ]);
  });

  it("audits a sign-in with the session it starts", () => {
    const { token } = startSession(db, { id: userId, username: "alice" }, "192.0.2.5", {
      now: 0,
      lifetimes,
    });
    expect(getSessionOwner(db, token, { now: 1, lifetimes })).toMatchObject({ username: "alice" });
    const signIns = listAudit(db, { limit: 10 }).rows.filter((r) => r.action === "session.sign-in");
    expect(signIns).toEqual([
      expect.objectContaining({
        actor: "alice",
        target: "user:alice",
        address: "192.0.2.5",
      }),
    ]);
  });

  it("prunes expired and idle sessions only", () => {
    createSession(db, userId, { now: 0, lifetimes });
    const live = createSession(db, userId, { now: lifetimes.absoluteMs, lifetimes });
    expect(pruneSessions(db, { now: lifetimes.absoluteMs + 1, lifetimes })).toBe(1);
    expect(
      getSessionOwner(db, live.token, { now: lifetimes.absoluteMs + 2, lifetimes }),
    ).not.toBeNull();
  });

  it("generates the signing secret once and keeps it", () => {
    const saved = process.env.JOBDECK_SECRET;
    delete process.env.JOBDECK_SECRET;
    try {
      const first = getSessionSecret(db);
      expect(first.length).toBeGreaterThanOrEqual(40);
      expect(getSessionSecret(db)).toBe(first);
      process.env.JOBDECK_SECRET = "short";
      expect(() => getSessionSecret(db)).toThrow(/at least 32/);
      process.env.JOBDECK_SECRET = "k".repeat(40);
      expect(getSessionSecret(db)).toBe("k".repeat(40));
    } finally {
      if (saved === undefined) delete process.env.JOBDECK_SECRET;
      else process.env.JOBDECK_SECRET = saved;
    }
  });
});
