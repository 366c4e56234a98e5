"use server";
/** Sign-in and sign-out server actions. */
import { randomBytes } from "node:crypto";
import { cookies, headers } from "next/headers";
import { redirect } from "next/navigation";
import { z } from "zod";
import { MAX_PASSWORD_BYTES } from "@/db/passwords";
import { getStore } from "@/db/store";
import { sessionLifetimes } from "@/db/store/auth";
import {
  clientAddress,
  clientAddressIsKnown,
  crossSiteProblem,
  isHttps,
  safeNextPath,
} from "@/app/_lib/request-security";
import {
  DEVICE_COOKIE,
  DEVICE_COOKIE_MAX_AGE_S,
  deviceIdFor,
  readCookies,
  SESSION_COOKIE,
  signDeviceCookie,
  signSessionToken,
  verifySessionCookie,
} from "@/app/_lib/session-cookie";

/** What the sign-in form shows after a failed attempt. */
export type SignInState = { message: string | null; username: string };

const signInSchema = z.object({
  username: z.string().trim().min(1, "Enter your username.").max(64, "No username is that long."),
  password: z
    .string()
    .min(1, "Enter your password.")
    .refine((p) => Buffer.byteLength(p) <= MAX_PASSWORD_BYTES, "No password is that long."),
  next: z.string().max(2000).optional(),
});

function minutes(ms: number): string {
  const m = Math.max(1, Math.ceil(ms / 60_000));
  return m === 1 ? "1 minute" : `${m} minutes`;
}

function seconds(ms: number): string {
  const s = Math.max(1, Math.ceil(ms / 1000));
  return s === 1 ? "1 second" : `${s} seconds`;
}

let warnedAddressUnknown = false;
/** Says once per server process why sign-ins are not limited by address (no trusted proxy). */
function warnAddressUnknown(): void {
  if (warnedAddressUnknown) return;
  warnedAddressUnknown = true;
  console.warn(
    "jobdeck: JOBDECK_TRUST_PROXY is not set, so a client's address is whatever it claims: sign-ins " +
      "are limited per username (spaced turns) and per known device, not per address. Run the " +
      "dashboard behind a reverse proxy and set JOBDECK_TRUST_PROXY for per-address limits " +
      "(docs/SECURITY.md).",
  );
}

/** Signs in with username and password; on success rotates the session and redirects to `next`. */
export async function signIn(_previous: SignInState, form: FormData): Promise<SignInState> {
  // A hand-made request can send anything as the arguments: answer it, never crash.
  if (!(form instanceof FormData)) return { message: "Send the sign-in form.", username: "" };
  const requestHeaders = await headers();
  const crossSite = crossSiteProblem(requestHeaders, { requireOrigin: true });
  const rawUsername = typeof form.get("username") === "string" ? String(form.get("username")) : "";
  const keep = rawUsername.slice(0, 64);
  if (crossSite) return { message: crossSite, username: keep };
  const parsed = signInSchema.safeParse({
    username: form.get("username") ?? "",
    password: form.get("password") ?? "",
    next: typeof form.get("next") === "string" ? form.get("next") : undefined,
  });
  if (!parsed.success) {
    return { message: parsed.error.issues[0]?.message ?? "Check the form.", username: keep };
  }
  const { username, password } = parsed.data;
  const { auth } = getStore();
  const address = clientAddress(requestHeaders);
  const addressKnown = clientAddressIsKnown();
  if (!addressKnown) warnAddressUnknown();
  const secret = await auth.getSessionSecret();
  // A browser that signed in as this user before carries a signed device cookie naming her: its
  // attempts skip the queue an attacker can fill and the address limits an attacker can trip.
  const device = deviceIdFor(requestHeaders.get("cookie"), username, secret);
  const check = await auth.checkSignIn({ address, addressKnown, device, username, password });
  if (!check.ok) {
    if (check.reason === "wrong") return { message: "Wrong username or password.", username };
    return {
      message:
        check.reason === "locked"
          ? `Too many failed sign-ins. Try again in ${minutes(check.retryAfterMs)}.`
          : `Too many sign-ins for this user right now. Try again in ${seconds(check.retryAfterMs)}.`,
      username,
    };
  }
  const { user } = check;
  const jar = await cookies();
  // Rotation: every session id the browser presented before sign-in (fixation, or a duplicate
  // cookie planted beside it) is ended, never reused.
  for (const value of readCookies(requestHeaders.get("cookie"), SESSION_COOKIE)) {
    const previous = verifySessionCookie(value, secret);
    if (previous) await auth.deleteSession(previous);
  }
  // Ended sessions are deleted when used; this sweeps those never presented again.
  await auth.pruneSessions();
  const { token } = await auth.startSession(user, address);
  jar.set(SESSION_COOKIE, signSessionToken(token, secret), {
    httpOnly: true,
    sameSite: "lax",
    secure: isHttps(requestHeaders),
    path: "/",
    maxAge: Math.floor(sessionLifetimes().absoluteMs / 1000),
  });
  // A fresh device id each sign-in; the cookie outlives sessions and sign-out on purpose.
  jar.set(
    DEVICE_COOKIE,
    signDeviceCookie(user.username, randomBytes(16).toString("base64url"), secret),
    {
      httpOnly: true,
      sameSite: "lax",
      secure: isHttps(requestHeaders),
      path: "/",
      maxAge: DEVICE_COOKIE_MAX_AGE_S,
    },
  );
  redirect(safeNextPath(parsed.data.next));
}

/** Signs out: deletes the server-side session and the cookie, then goes to /login. */
export async function signOut(): Promise<void> {
  const requestHeaders = await headers();
  // A cross-site sign-out would only annoy, but refuse it like every other state change.
  if (crossSiteProblem(requestHeaders, { requireOrigin: true })) redirect("/");
  const jar = await cookies();
  const { auth } = getStore();
  const secret = await auth.getSessionSecret();
  const address = clientAddress(requestHeaders);
  for (const value of readCookies(requestHeaders.get("cookie"), SESSION_COOKIE)) {
    const token = verifySessionCookie(value, secret);
    if (token) await auth.endSession(token, address);
  }
  jar.delete(SESSION_COOKIE);
  redirect("/login");
}
