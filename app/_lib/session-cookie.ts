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
