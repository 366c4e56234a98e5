import { describe, expect, it } from "vitest";
import { hashPasswordSync, verifyPassword } from "../passwords";
import { listAudit } from "./audit";
import { setupTestDb } from "./test-db";
import {
  createUser,
  deleteUser,
  ensureInitialAdmin,
  findUserForSignIn,
  listUsers,
  setUserRole,
} from "./users";

const t = setupTestDb();

describe("users", () => {
  it("creates the first admin with a random password once", async () => {
    const first = ensureInitialAdmin(t.db);
    expect(first?.username).toBe("admin");
    expect(first?.password.length).toBeGreaterThanOrEqual(20);
    const row = findUserForSignIn(t.db, "admin");
    expect(row?.role).toBe("admin");
    expect(await verifyPassword(first!.password, row!.passwordHash)).toBe(true);
    expect(ensureInitialAdmin(t.db)).toBeNull();
  });

  it("refuses duplicate and malformed usernames", () => {
    createUser(t.db, { username: "alice", passwordHash: "h", role: "admin" }, "cli");
    expect(() =>
      createUser(t.db, { username: "alice", passwordHash: "h", role: "admin" }, "cli"),
    ).toThrow(/already exists/);
    for (const bad of ["", " alice", "<script>", "a".repeat(65), "a b"]) {
      expect(() =>
        createUser(t.db, { username: bad, passwordHash: "h", role: "admin" }, "cli"),
      ).toThrow(/username/);
    }
  });

  it("audits creation, role change and removal, and never stores the hash in the log", () => {
    createUser(
      t.db,
      { username: "bob", passwordHash: hashPasswordSync("pw-for-bob-123"), role: "viewer" },
      "alice",
    );
    setUserRole(t.db, "bob", "admin", "alice");
    deleteUser(t.db, "bob", "alice");
    expect(listUsers(t.db)).toEqual([]);
    const rows = listAudit(t.db, { limit: 10 }).rows;
    expect(rows.map((r) => r.action)).toEqual(["user.delete", "user.role", "user.create"]);
    expect(rows.every((r) => r.actor === "alice" && r.target === "user:bob")).toBe(true);
    expect(JSON.stringify(rows)).not.toContain("scrypt$");
  });
});
