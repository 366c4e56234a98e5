import { describe, expect, it } from "vitest";
import {
  deviceIdFor,
  readCookies,
  signDeviceCookie,
  verifyDeviceCookie,
  readSessionCookie,
  signSessionToken,
  verifySessionCookie,
} from "./session-cookie";

const secret = "s".repeat(43);
const token = "AbCdEfGhIjKlMnOpQrStUvWxYz0123456789_-abcde";

describe("session cookie signing", () => {
  it("accepts its own signature", () => {
    expect(verifySessionCookie(signSessionToken(token, secret), secret)).toBe(token);
  });

  it("refuses tampered tokens, tampered signatures and other secrets", () => {
    const signed = signSessionToken(token, secret);
    const [t, s] = signed.split(".") as [string, string];
    expect(verifySessionCookie(`${t.slice(0, -1)}X.${s}`, secret)).toBeNull();
    expect(
      verifySessionCookie(`${t}.${s.slice(0, -1)}${s.endsWith("A") ? "B" : "A"}`, secret),
    ).toBeNull();
    expect(verifySessionCookie(signed, "o".repeat(43))).toBeNull();
    for (const junk of [
      "",
      ".",
      t,
      `${t}.`,
      `.${s}`,
      `${t}.${s}.x`,
      "a".repeat(1000),
      `${t}<script>.${s}`,
    ]) {
      expect(verifySessionCookie(junk, secret)).toBeNull();
    }
    expect(verifySessionCookie(undefined, secret)).toBeNull();
  });

  it("refuses every other spelling of the signature's last character", () => {
    // Many tokens, so that last characters whose unused low bits differ are among them.
    for (let i = 0; i < 64; i++) {
      const tok = `${token.slice(0, -2)}${i.toString(36).padStart(2, "0")}`;
      const [t, s] = signSessionToken(tok, secret).split(".") as [string, string];
      for (const c of "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_") {
        if (c === s.at(-1)) continue;
        expect(verifySessionCookie(`${t}.${s.slice(0, -1)}${c}`, secret)).toBeNull();
      }
    }
  });

  it("reads every copy of a cookie from a Cookie header, in order", () => {
    expect(readCookies("a=1; jobdeck_session=x.y; b=2", "jobdeck_session")).toEqual(["x.y"]);
    expect(readCookies("jobdeck_session=p; a=1; jobdeck_session=q", "jobdeck_session")).toEqual([
      "p",
      "q",
    ]);
    expect(readCookies("a=1", "jobdeck_session")).toEqual([]);
    expect(readCookies(null, "jobdeck_session")).toEqual([]);
  });

  it("reads duplicate session cookies one way: different values are none, copies are one", () => {
    expect(readSessionCookie("a=1; jobdeck_session=x.y; b=2")).toBe("x.y");
    expect(readSessionCookie("jobdeck_session=x.y; jobdeck_session=x.y")).toBe("x.y");
    // Neither first nor last wins: a planted second cookie makes the request signed out.
    expect(readSessionCookie("jobdeck_session=mine.1; jobdeck_session=planted.2")).toBeNull();
    expect(readSessionCookie("jobdeck_session=planted.2; jobdeck_session=mine.1")).toBeNull();
    expect(readSessionCookie("a=1")).toBeNull();
    expect(readSessionCookie(null)).toBeNull();
  });
});

describe("known-device cookie", () => {
  const id = "Zm9vYmFyYmF6cXV4MTIzNDU2";
  it("names the username and id, signed; only its own user, secret and bytes pass", () => {
    const alice = signDeviceCookie("Alice", id, secret);
    expect(verifyDeviceCookie(alice, secret)).toEqual({ username: "alice", id });
    expect(deviceIdFor(`jobdeck_device=${alice}`, "ALICE", secret)).toBe(id);
    // Another user's valid cookie, another secret, a session cookie, tampering: no device.
    const bob = signDeviceCookie("bob", id, secret);
    expect(deviceIdFor(`jobdeck_device=${bob}`, "alice", secret)).toBeNull();
    expect(deviceIdFor(`jobdeck_device=${alice}`, "alice", "o".repeat(43))).toBeNull();
    expect(
      deviceIdFor(`jobdeck_device=${signSessionToken(token, secret)}`, "alice", secret),
    ).toBeNull();
    const [, bobId, bobMac] = bob.split(".") as [string, string, string];
    const renamed = `${Buffer.from("alice").toString("base64url")}.${bobId}.${bobMac}`;
    expect(verifyDeviceCookie(renamed, secret)).toBeNull();
    const [u, i, m] = alice.split(".") as [string, string, string];
    expect(verifyDeviceCookie(`${u}.${i.slice(0, -1)}A.${m}`, secret)).toBeNull();
    expect(
      verifyDeviceCookie(`${u}.${i}.${m.slice(0, -1)}${m.endsWith("A") ? "B" : "A"}`, secret),
    ).toBeNull();
    for (const junk of ["", "..", `${u}.${i}`, `${u}.${i}.${m}.x`, "x".repeat(500)])
      expect(verifyDeviceCookie(junk, secret)).toBeNull();
    // A browser shared by two users may send a stale cookie beside hers: the one for her counts.
    expect(deviceIdFor(`jobdeck_device=${bob}; jobdeck_device=${alice}`, "alice", secret)).toBe(id);
  });
});
