import { afterEach, beforeEach, describe, expect, it } from "vitest";
import type { Db } from "../client";
import { checkLoginAllowed, clearFailedLogins, recordFailedLogin } from "./login-attempts";
import { openTestDb } from "./test-db";

const limits = { windowMs: 15 * 60_000, maxPerUser: 5, maxPerAddress: 20 };
let db: Db;
let cleanup: () => void;
beforeEach(() => ({ db, cleanup } = openTestDb()));
afterEach(() => cleanup());

describe("sign-in rate limiting", () => {
  it("blocks a username after 5 failures in the window, from any address", () => {
    for (let i = 0; i < 5; i++) {
      expect(checkLoginAllowed(db, `10.0.0.${i}`, "alice", { now: 1000 + i, limits }).allowed).toBe(
        true,
      );
      recordFailedLogin(db, `10.0.0.${i}`, "alice", { now: 1000 + i, limits });
    }
    const blocked = checkLoginAllowed(db, "10.9.9.9", "ALICE", { now: 2000, limits });
    expect(blocked).toEqual({ allowed: false, retryAfterMs: 1000 + limits.windowMs - 2000 });
    expect(checkLoginAllowed(db, "10.9.9.9", "bob", { now: 2000, limits }).allowed).toBe(true);
  });

  it("lets the username try again once the oldest failure leaves the window", () => {
    for (let i = 0; i < 5; i++) recordFailedLogin(db, "a", "alice", { now: i * 1000, limits });
    expect(checkLoginAllowed(db, "a", "alice", { now: limits.windowMs - 1, limits }).allowed).toBe(
      false,
    );
    expect(checkLoginAllowed(db, "a", "alice", { now: limits.windowMs + 1, limits }).allowed).toBe(
      true,
    );
  });

  it("blocks an address after 20 failures across usernames", () => {
    for (let i = 0; i < 20; i++)
      recordFailedLogin(db, "192.0.2.7", `user${i}`, { now: 5000, limits });
    expect(checkLoginAllowed(db, "192.0.2.7", "fresh", { now: 6000, limits }).allowed).toBe(false);
    expect(checkLoginAllowed(db, "192.0.2.8", "fresh", { now: 6000, limits }).allowed).toBe(true);
  });

  it("forgets a user's failures from an address after a successful sign-in", () => {
    for (let i = 0; i < 4; i++) recordFailedLogin(db, "a", "alice", { now: 10, limits });
    clearFailedLogins(db, "a", "Alice");
    recordFailedLogin(db, "a", "alice", { now: 20, limits });
    expect(checkLoginAllowed(db, "a", "alice", { now: 30, limits }).allowed).toBe(true);
  });
});
