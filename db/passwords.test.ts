import { describe, expect, it } from "vitest";
import {
  generatePassword,
  hashPassword,
  hashPasswordSync,
  passwordProblem,
  verifyPassword,
} from "./passwords";

describe("password hashing", () => {
  it("verifies the right password and refuses a wrong one", async () => {
    const hash = await hashPassword("correct horse battery staple");
    expect(hash).toMatch(/^scrypt\$32768\$8\$1\$[A-Za-z0-9_-]+\$[A-Za-z0-9_-]+$/);
    expect(await verifyPassword("correct horse battery staple", hash)).toBe(true);
    expect(await verifyPassword("correct horse battery stapl", hash)).toBe(false);
    expect(await verifyPassword("", hash)).toBe(false);
  });

  it("salts every hash, so equal passwords hash differently", async () => {
    const a = await hashPassword("same password here");
    const b = hashPasswordSync("same password here");
    expect(a).not.toBe(b);
    expect(await verifyPassword("same password here", b)).toBe(true);
  });

  it("refuses malformed or tampered hashes instead of throwing", async () => {
    const hash = await hashPassword("another good one!");
    for (const bad of [
      "",
      "plain",
      "scrypt$1$1$1$a$b",
      hash.replace("32768", "1073741824"),
      "bcrypt$x$y$z$a$b",
    ]) {
      expect(await verifyPassword("another good one!", bad)).toBe(false);
    }
  });

  it("refuses weak passwords with a reason", () => {
    expect(passwordProblem("")).toMatch(/empty/);
    expect(passwordProblem("short")).toMatch(/too short/);
    expect(passwordProblem("aaaaaaaaaaaaaaaa")).toMatch(/different characters/);
    expect(passwordProblem("mypassword12345")).toMatch(/common word/);
    expect(passwordProblem("alice-alice-2024", "alice")).toMatch(/username/);
    expect(passwordProblem("e2e-Admin-Passw0rd!", "e2e-admin")).toBeNull();
    expect(passwordProblem("vivid-otter-lamp-92")).toBeNull();
    expect(passwordProblem(generatePassword())).toBeNull();
  });
});
