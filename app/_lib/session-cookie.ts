/**
 * The session cookie: `<token>.<HMAC-SHA256(token)>`, both base64url. The signature lets the server
 * drop forged or tampered cookies before touching the database; the token itself is checked
 * against the sessions table. Pure functions (no Next APIs), so they are unit-tested directly.
 */
import { createHmac, timingSafeEqual } from "node:crypto";

import { SESSION_COOKIE } from "./auth-constants";

export { SESSION_COOKIE };

const TOKEN_RE = /^[A-Za-z0-9_-]{20,100}$/;

function mac(token: string, secret: string): Buffer {
  return createHmac("sha256", secret).update(`session:${token}`).digest();
}

/** Signs a session token for the cookie. */
export function signSessionToken(token: string, secret: string): string {
  return `${token}.${mac(token, secret).toString("base64url")}`;
}

/** The token inside a cookie value when its signature is valid; null for anything else. */
export function verifySessionCookie(
  value: string | undefined | null,
  secret: string,
): string | null {
  if (!value || value.length > 300) return null;
  const dot = value.indexOf(".");
  if (dot < 0) return null;
  const token = value.slice(0, dot);
  const signature = value.slice(dot + 1);
  if (!TOKEN_RE.test(token) || !/^[A-Za-z0-9_-]{43}$/.test(signature)) return null;
  // Compared as text, so only the one canonical encoding passes: base64url's last character
  // carries two unused bits, and decoding first would accept four spellings of one signature.
  const given = Buffer.from(signature);
  const expected = Buffer.from(mac(token, secret).toString("base64url"));
  return given.length === expected.length && timingSafeEqual(given, expected) ? token : null;
}

/** Every value of cookie `name` in a raw `Cookie` header, in the order the browser sent them. */
export function readCookies(header: string | null, name: string): string[] {
  if (!header) return [];
  const values: string[] = [];
  for (const part of header.split(";")) {
    const eq = part.indexOf("=");
    if (eq < 0 || part.slice(0, eq).trim() !== name) continue;
    const raw = part.slice(eq + 1).trim();
    try {
      values.push(decodeURIComponent(raw));
    } catch {
      values.push(raw);
    }
  }
  return values;
}

/**
 * The session cookie of a request, read one way by pages, server actions and route handlers
 * (app/_lib/auth.ts). Two or more *different* values are ambiguous and read as none: a browser
 * sends duplicates when another path or a parent domain planted a second cookie (cookie tossing),
 * and no order rule (first, last) tells which one the user's own sign-in set. Identical copies
 * are one value.
 */
export function readSessionCookie(header: string | null): string | null {
  const values = new Set(readCookies(header, SESSION_COOKIE));
  return values.size === 1 ? ([...values][0] ?? null) : null;
}

/**
 * The known-device cookie (OWASP "device cookies"): set after a successful sign-in, it names the
 * username and a random id, `<base64url(username)>.<id>.<HMAC-SHA256>`, signed with the session
 * secret (a different label from session tokens, so one can never pass for the other). A sign-in
 * presenting a valid one for the username it signs in as is exempt from the per-username queue
 * and the per-address limits, within its own small budget (db/queries/login-attempts.ts).
 */
export const DEVICE_COOKIE = "jobdeck_device";
/** How long the browser keeps the device cookie: one year. */
export const DEVICE_COOKIE_MAX_AGE_S = 365 * 24 * 3600;

const DEVICE_ID_RE = /^[A-Za-z0-9_-]{22,64}$/;
const B64_RE = /^[A-Za-z0-9_-]{1,200}$/;

function deviceMac(user: string, id: string, secret: string): string {
  return createHmac("sha256", secret).update(`device:${user}.${id}`).digest("base64url");
}

/** The device cookie's value for `username` (compared lower-cased) and a random `id`. */
export function signDeviceCookie(username: string, id: string, secret: string): string {
  if (!DEVICE_ID_RE.test(id)) throw new Error("device id must be 22-64 base64url characters");
  const user = Buffer.from(username.toLowerCase()).toString("base64url");
  return `${user}.${id}.${deviceMac(user, id, secret)}`;
}

/** The username and id inside a device cookie when its signature is valid; null otherwise. */
export function verifyDeviceCookie(
  value: string | undefined | null,
  secret: string,
): { username: string; id: string } | null {
  if (!value || value.length > 400) return null;
  const parts = value.split(".");
  if (parts.length !== 3) return null;
  const [user, id, signature] = parts as [string, string, string];
  if (!B64_RE.test(user) || !DEVICE_ID_RE.test(id) || !/^[A-Za-z0-9_-]{43}$/.test(signature))
    return null;
  const given = Buffer.from(signature);
  const expected = Buffer.from(deviceMac(user, id, secret));
  if (given.length !== expected.length || !timingSafeEqual(given, expected)) return null;
  return { username: Buffer.from(user, "base64url").toString(), id };
}

/**
 * The id of the device cookie in a raw `Cookie` header that is valid *for `username`*; null when
 * none is (absent, forged, tampered, another secret, or another user's).
 */
export function deviceIdFor(
  header: string | null,
  username: string,
  secret: string,
): string | null {
  const wanted = username.toLowerCase();
  for (const value of readCookies(header, DEVICE_COOKIE)) {
    const device = verifyDeviceCookie(value, secret);
    if (device && device.username === wanted) return device.id;
  }
  return null;
}
