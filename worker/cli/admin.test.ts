/** `npm run jobdeck -- admin unlock` and `admin password` lift sign-in limits, run as a real process. */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { hashPasswordSync } from "@/db/passwords";
import { openStore, type Store } from "@/db/store";
import type { LoginLimits } from "@/db/store/auth";
import { makeTestDb, runJobdeck } from "@/worker/testing/harness";

let testDb: ReturnType<typeof makeTestDb>;
let store: Store;
beforeAll(async () => {
  testDb = makeTestDb("jobdeck-admin-");
  store = await openStore({ url: testDb.url });
  const passwordHash = hashPasswordSync("Right-Horse-Battery-77");
  await store.auth.createUser({ username: "alice", passwordHash, role: "admin" }, "test");
});
afterAll(async () => {
  await store.close();
  testDb.cleanup();
});

const limits: LoginLimits = {
  windowMs: 15 * 60_000,
  maxPerUser: 5,
  maxPerAddress: 20,
  slowAfter: 5,
  spacingMs: 0,
  maxWaitMs: 0,
};
const lockOut = async (address: string, username: string, n = 5) => {
  for (let i = 0; i < n; i++) await store.auth.reserveLoginAttempt(address, username, { limits });
  expect((await store.auth.reserveLoginAttempt(address, username, { limits })).allowed).toBe(false);
};
const canTry = async (address: string, username: string) =>
  (await store.auth.reserveLoginAttempt(address, username, { limits })).allowed;

describe("jobdeck admin unlock", () => {
  it("lifts a username's limits from every address and audits it", async () => {
    await lockOut("192.0.2.1", "alice");
    await lockOut("192.0.2.2", "alice");
    const r = runJobdeck(testDb.url, "admin", "unlock", "alice");
    expect(r.stderr).toBe("");
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/Lifted the sign-in limits of "alice"/);
    expect(await canTry("192.0.2.1", "alice")).toBe(true);
    expect(await canTry("192.0.2.2", "alice")).toBe(true);
    expect((await store.reads.listAudit({ limit: 5 })).rows[0]).toMatchObject({
      action: "user.unlock",
      target: "user:alice",
    });
  });

  it("lifts an address's limit with --address", async () => {
    await lockOut("192.0.2.9", "u", 20);
    expect(runJobdeck(testDb.url, "admin", "unlock", "--address", "192.0.2.9").code).toBe(0);
    expect(await canTry("192.0.2.9", "someone")).toBe(true);
  });

  it("says what it needs when given neither", () => {
    const r = runJobdeck(testDb.url, "admin", "unlock");
    expect(r.code).not.toBe(0);
    expect(r.stderr).toMatch(/admin unlock needs a <username> or --address <address>/);
  });

  it("admin password lifts the user's limits too", async () => {
    await lockOut("192.0.2.3", "alice");
    const r = runJobdeckWithPassword("Fresh-Horse-Battery-99");
    expect(r.stderr).toBe("");
    expect(r.code).toBe(0);
    expect(await canTry("192.0.2.3", "alice")).toBe(true);
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
