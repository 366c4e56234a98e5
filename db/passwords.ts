/**
 * Password hashing with node:crypto's scrypt. Stored format: `scrypt$N$r$p$salt$hash` (salt and
 * hash base64url). Verification re-derives with the stored parameters and compares in constant
 * time, so raising the cost later keeps old hashes valid.
 */
import { randomBytes, scrypt, scryptSync, timingSafeEqual, type ScryptOptions } from "node:crypto";

/** scrypt cost: N=2^15, r=8, p=1 (OWASP's minimum recommendation; ~50 ms on one core). */
export const SCRYPT_PARAMS = { N: 32768, r: 8, p: 1 } as const;
const KEY_BYTES = 32;
const SALT_BYTES = 16;
/** Longest password accepted (bytes of UTF-8): bounds the work an attacker can ask for. */
export const MAX_PASSWORD_BYTES = 1024;
/** Shortest password `admin create` and `admin password` accept (characters). */
export const MIN_PASSWORD_CHARS = 12;

function maxmem(N: number, r: number): number {
  return 128 * N * r * 2 + 1024 * 1024;
}

function deriveAsync(password: string, salt: Buffer, N: number, r: number, p: number) {
  const options: ScryptOptions = { N, r, p, maxmem: maxmem(N, r) };
  return new Promise<Buffer>((resolve, reject) => {
    scrypt(password, salt, KEY_BYTES, options, (error, key) =>
      error ? reject(error) : resolve(key),
    );
  });
}

function format(salt: Buffer, key: Buffer): string {
  const { N, r, p } = SCRYPT_PARAMS;
  return `scrypt$${N}$${r}$${p}$${salt.toString("base64url")}$${key.toString("base64url")}`;
}

/** Hashes a password (async; runs on libuv's thread pool). */
export async function hashPassword(password: string): Promise<string> {
  const salt = randomBytes(SALT_BYTES);
  const { N, r, p } = SCRYPT_PARAMS;
  return format(salt, await deriveAsync(password, salt, N, r, p));
}

/** Hashes a password synchronously (CLI and first-start setup only; blocks ~50 ms). */
export function hashPasswordSync(password: string): string {
  const salt = randomBytes(SALT_BYTES);
  const { N, r, p } = SCRYPT_PARAMS;
  return format(salt, scryptSync(password, salt, KEY_BYTES, { N, r, p, maxmem: maxmem(N, r) }));
}

interface ParsedHash {
  N: number;
  r: number;
  p: number;
  salt: Buffer;
  key: Buffer;
}

function parseHash(stored: string): ParsedHash | null {
  const parts = stored.split("$");
  if (parts.length !== 6 || parts[0] !== "scrypt") return null;
  const [N, r, p] = [Number(parts[1]), Number(parts[2]), Number(parts[3])];
  // Refuse absurd parameters from a tampered row rather than allocating gigabytes.
  if (
    ![N, r, p].every(Number.isInteger) ||
    N < 2 ||
    N > 2 ** 20 ||
    r < 1 ||
    r > 32 ||
    p < 1 ||
    p > 16
  ) {
    return null;
  }
  const salt = Buffer.from(parts[4] ?? "", "base64url");
  const key = Buffer.from(parts[5] ?? "", "base64url");
  if (salt.length < 8 || key.length < 16) return null;
  return { N, r, p, salt, key };
}

/** True when `password` matches the stored hash; false for a wrong password or a malformed hash. */
export async function verifyPassword(password: string, stored: string): Promise<boolean> {
  const parsed = parseHash(stored);
  if (!parsed || Buffer.byteLength(password) > MAX_PASSWORD_BYTES) return false;
  const { N, r, p, salt, key } = parsed;
  const candidate = await deriveAsync(password, salt, N, r, p);
  return candidate.length === key.length && timingSafeEqual(candidate, key);
}

/**
 * A hash of a random password, verified against when the username does not exist, so a
 * sign-in takes the same time whether or not the user exists.
 */
let dummyHash: string | undefined;
/** The decoy hash (computed once, lazily). */
export function decoyHash(): string {
  dummyHash ??= hashPasswordSync(randomBytes(16).toString("hex"));
  return dummyHash;
}

/** Why a new password is refused, or null when it is acceptable. */
export function passwordProblem(password: string, username?: string): string | null {
  if (password.trim() === "") return "The password is empty.";
  if ([...password].length < MIN_PASSWORD_CHARS) {
    return `The password is too short: use at least ${MIN_PASSWORD_CHARS} characters.`;
  }
  if (Buffer.byteLength(password) > MAX_PASSWORD_BYTES) {
    return `The password is longer than ${MAX_PASSWORD_BYTES} bytes.`;
  }
  if (new Set(password).size < 5) return "The password repeats too few different characters.";
  const lower = password.toLowerCase();
  // The username plus a few characters ("alice2024!") is too easy to guess.
  if (username && lower.split(username.toLowerCase()).join("").length < MIN_PASSWORD_CHARS - 4) {
    return "The password is too close to the username.";
  }
  if (["password", "jobdeck", "123456", "qwerty", "letmein"].some((w) => lower.includes(w))) {
    return "The password contains a common word (password, 123456, qwerty, …); choose another.";
  }
  return null;
}

/** A random strong password (24 base64url characters, 144 bits). */
export function generatePassword(): string {
  return randomBytes(18).toString("base64url");
}
