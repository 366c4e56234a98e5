/**
 * The session cookie: `<token>.<HMAC-SHA256(token)>`, both base64url. The signature lets the server
 * drop forged or tampered cookies before touching the database; the token itself is checked
 * against the sessions table. Pure functions (no Next APIs), so they are unit-tested directly.
 */
import { createHmac, timingSafeEqual } from "node:crypto";

export { SESSION_COOKIE } from "./auth-constants";

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

/** Reads one cookie from a raw `Cookie` header (for route handlers given a plain Request). */
export function readCookie(header: string | null, name: string): string | null {
  if (!header) return null;
  for (const part of header.split(";")) {
    const eq = part.indexOf("=");
    if (eq < 0) continue;
    if (part.slice(0, eq).trim() === name) {
      const raw = part.slice(eq + 1).trim();
      try {
        return decodeURIComponent(raw);
      } catch {
        return raw;
      }
    }
  }
  return null;
}
