/** `npm run jobdeck -- admin unlock` and `admin password` lift sign-in limits, run as a real process. */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Db } from "@/db/client";
import { hashPasswordSync } from "@/db/passwords";
import { listAudit } from "@/db/queries/audit";
import { reserveLoginAttempt, type LoginLimits } from "@/db/queries/login-attempts";
import { createUser } from "@/db/queries/users";
import { makeTestDb, runJobdeck } from "@/worker/testing/harness";

let testDb: ReturnType<typeof makeTestDb>;
let db: Db;
beforeAll(() => {
  testDb = makeTestDb("jobdeck-admin-");
  db = testDb.db;
  const passwordHash = hashPasswordSync("Right-Horse-Battery-77");
  createUser(db, { username: "alice", passwordHash, role: "admin" }, "test");
});
afterAll(() => testDb.cleanup());

const limits: LoginLimits = {
  windowMs: 15 * 60_000,
  maxPerUser: 5,
  maxPerAddress: 20,
  slowAfter: 5,
  spacingMs: 0,
  maxWaitMs: 0,
};
const lockOut = (address: string, username: string, n = 5) => {
  for (let i = 0; i < n; i++) reserveLoginAttempt(db, address, username, { limits });
  expect(reserveLoginAttempt(db, address, username, { limits }).allowed).toBe(false);
};
const canTry = (address: string, username: string) =>
  reserveLoginAttempt(db, address, username, { limits }).allowed;

describe("jobdeck admin unlock", () => {
  it("lifts a username's limits from every address and audits it", () => {
    lockOut("192.0.2.1", "alice");
    lockOut("192.0.2.2", "alice");
    const r = runJobdeck(testDb.url, "admin", "unlock", "alice");
    expect(r.stderr).toBe("");
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/Lifted the sign-in limits of "alice"/);
    expect(canTry("192.0.2.1", "alice")).toBe(true);
    expect(canTry("192.0.2.2", "alice")).toBe(true);
    expect(listAudit(db, { limit: 5 }).rows[0]).toMatchObject({
      action: "user.unlock",
      target: "user:alice",
    });
  });

  it("lifts an address's limit with --address", () => {
    lockOut("192.0.2.9", "u", 20);
    expect(runJobdeck(testDb.url, "admin", "unlock", "--address", "192.0.2.9").code).toBe(0);
    expect(canTry("192.0.2.9", "someone")).toBe(true);
  });

  it("says what it needs when given neither", () => {
    const r = runJobdeck(testDb.url, "admin", "unlock");
    expect(r.code).not.toBe(0);
    expect(r.stderr).toMatch(/admin unlock needs a <username> or --address <address>/);
  });

  it("admin password lifts the user's limits too", () => {
    lockOut("192.0.2.3", "alice");
    const r = runJobdeckWithPassword("Fresh-Horse-Battery-99");
    expect(r.stderr).toBe("");
    expect(r.code).toBe(0);
    expect(canTry("192.0.2.3", "alice")).toBe(true);
  });
});

function runJobdeckWithPassword(password: string) {
  const previous = process.env.JOBDECK_PASSWORD;
  process.env.JOBDECK_PASSWORD = password;
  try {
    return runJobdeck(testDb.url, "admin", "password", "alice");
  } finally {
    if (previous === undefined) delete process.env.JOBDECK_PASSWORD;
    else process.env.JOBDECK_PASSWORD = previous;
  }
}
