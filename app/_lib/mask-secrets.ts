/**
 * Masks values whose keys look secret (password, token, secret, key, authorization, …) before job
 * arguments are shown. Pure and dependency-free, so client and server components can both use it.
 * The key list is JOBDECK_SECRET_KEYS (comma-separated words) when set on the server.
 */

/** Default words that make a key secret: a key matches when one of its words is in the list. */
export const DEFAULT_SECRET_WORDS = [
  "password",
  "passwd",
  "pwd",
  "token",
  "secret",
  "key",
  "authorization",
  "auth",
  "cookie",
  "session",
  "credential",
  "credentials",
  "apikey",
  "private",
];

/** What a masked value is replaced by. */
export const MASK = "••••••";

/** The configured secret words (JOBDECK_SECRET_KEYS, else DEFAULT_SECRET_WORDS). */
export function secretWords(
  raw = typeof process === "undefined" ? undefined : process.env.JOBDECK_SECRET_KEYS,
): string[] {
  const list = (raw ?? "")
    .split(",")
    .map((w) => w.trim().toLowerCase())
    .filter((w) => w !== "");
  return list.length > 0 ? list : DEFAULT_SECRET_WORDS;
}

/** Splits `apiKey`, `api_key`, `X-Api-Key` into lower-case words (plus the whole key). */
function keyWords(key: string): string[] {
  const words = key
    .replace(/([a-z0-9])([A-Z])/g, "$1 $2")
    .split(/[^A-Za-z0-9]+/)
    .map((w) => w.toLowerCase())
    .filter((w) => w !== "");
  return [...words, key.toLowerCase().replace(/[^a-z0-9]/g, "")];
}

/** True when a key names a secret (`password`, `apiKey`, `X-Auth-Token`; not `monkey` or `keyboard`). */
export function isSecretKey(key: string, words = secretWords()): boolean {
  return keyWords(key).some((w) => words.includes(w));
}

/** A copy of a JSON value with every secret-looking key's value replaced by MASK, at any depth. */
export function maskSecrets(value: unknown, words = secretWords(), depth = 0): unknown {
  if (depth > 64 || value === null || typeof value !== "object") return value;
  if (Array.isArray(value)) return value.map((v) => maskSecrets(v, words, depth + 1));
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(value)) {
    // defineProperty, so a "__proto__" key stays a plain key and never becomes the prototype.
    Object.defineProperty(out, k, {
      value:
        isSecretKey(k, words) && v !== null && v !== "" ? MASK : maskSecrets(v, words, depth + 1),
      enumerable: true,
      writable: true,
      configurable: true,
    });
  }
  return out;
}

/** Masks secrets inside a stored JSON text (as in `jobs.args`); non-JSON text is returned as is. */
export function maskSecretsInJson(json: string | null, words = secretWords()): string | null {
  if (json === null) return null;
  try {
    return JSON.stringify(maskSecrets(JSON.parse(json), words), null, 2);
  } catch {
    return json;
  }
}

/**
 * Masks secrets in a preview: the first few hundred characters of a JSON text, usually cut
 * mid-way and so not parseable. A complete JSON text is masked exactly (compact); a cut one by
 * pattern: `"<secret key>": <value>` keeps its key and loses its value, up to the cut.
 */
export function maskSecretsInPreview(preview: string | null, words = secretWords()): string | null {
  if (preview === null) return null;
  try {
    return JSON.stringify(maskSecrets(JSON.parse(preview), words));
  } catch {
    return preview.replace(
      /("((?:[^"\\]|\\.)*)"\s*:\s*)("(?:[^"\\]|\\.)*(?:"|$)|[^,{}[\]]*)/g,
      (whole, head: string, key: string, value: string) =>
        isSecretKey(key, words) && value !== "null" && value !== '""' ? `${head}"${MASK}"` : whole,
    );
  }
}
