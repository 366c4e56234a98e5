/**
 * Masks secrets before job data leaves the server or reaches the audit log: values under
 * secret-looking keys (password, token, apiKey, …, at any depth, whatever their type) and
 * credentials inside free text (`postgres://user:PW@host`, `Bearer <token>`, `password=PW`,
 * `password: 'PW'`). Pure and dependency-free: the dashboard, the API and db/queries/audit use it.
 * The word list is JOBDECK_SECRET_KEYS (comma-separated words) when set. See docs/SECURITY.md.
 */

/** Default words that make a key secret: a key matches when one of its words (or its singular) is listed. */
export const DEFAULT_SECRET_WORDS = [
  "password",
  "passwd",
  "pwd",
  "passphrase",
  "token",
  "tokens",
  "bearer",
  "jwt",
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

/** True when a key names a secret (`password`, `apiKey`, `X-Auth-Token`, `tokens`; not `monkey`). */
export function isSecretKey(key: string, words = secretWords()): boolean {
  return keyWords(key).some(
    (w) => words.includes(w) || (w.length > 3 && w.endsWith("s") && words.includes(w.slice(0, -1))),
  );
}

// Linear time on any text: a name is tried only where a run of name characters starts (the
// lookbehind) and is taken whole, never backtracked (the `(?=(…))\1` atomic group). Tried at every
// position of a long word, `[a-z]+=` would be quadratic.
// scheme://user:PASSWORD@host — the password runs to the last "@" before the path.
const URL_CREDENTIALS =
  /(?<![a-z0-9+.-])(?=([a-z][a-z0-9+.-]*:\/\/))\1([^\s:/@?#"'<>]{0,256}:)([^\s/?#"'<>]{0,256})@/gi;
// A preview cut inside the password: scheme://user:PASSW<end of text>.
const URL_CREDENTIALS_CUT =
  /(?<![a-z0-9+.-])(?=([a-z][a-z0-9+.-]*:\/\/))\1([^\s:/@?#"'<>]{0,256}:)([^\s/?#"'<>@]{1,256})$/i;
const BEARER = /\b(bearer)(\s+)[A-Za-z0-9\-._~+/]+=*/gi;
// key=value (query strings, ADO/ODBC connection strings, log lines).
const KEY_EQUALS =
  /(?<![A-Za-z0-9_.-])(?=([A-Za-z][A-Za-z0-9_.-]*))\1(\s*=\s*)("[^"]*"?|'[^']*'?|[^\s;&,"'<>)\]}]+)/g;
// key: 'value' / "key": "value" (util.inspect output and JSON inside messages); quoted values only.
const KEY_COLON =
  /(["']?)(?<![A-Za-z0-9_.-])(?=([A-Za-z][A-Za-z0-9_.-]*))\2\1(\s*:\s*)("(?:[^"\\]|\\.)*"?|'(?:[^'\\]|\\.)*'?)/g;

/**
 * Masks credentials inside free text (error messages, stacks, progress messages, string values):
 * URL passwords, bearer tokens, and the values of secret keys written `key=value` or `key: "value"`.
 */
export function maskSecretText(text: string, words = secretWords()): string {
  return text
    .replace(URL_CREDENTIALS, `$1$2${MASK}@`)
    .replace(URL_CREDENTIALS_CUT, (whole, scheme: string, user: string, pw: string) =>
      /^\d+$/.test(pw) ? whole : `${scheme}${user}${MASK}`,
    )
    .replace(BEARER, `$1$2${MASK}`)
    .replace(KEY_EQUALS, (whole, key: string, eq: string) =>
      isSecretKey(key, words) ? `${key}${eq}${MASK}` : whole,
    )
    .replace(KEY_COLON, (whole, q: string, key: string, colon: string, value: string) => {
      if (!isSecretKey(key, words) || value === '""' || value === "''") return whole;
      const quote = value.startsWith("'") ? "'" : '"';
      return `${q}${key}${q}${colon}${quote}${MASK}${quote}`;
    });
}

/** A string that holds JSON (a job's `args` inside a schedule row, a result that is JSON text), masked. */
function maskString(text: string, words: string[], depth: number): string {
  const t = text.trimStart();
  if (t.startsWith("{") || t.startsWith("[")) {
    try {
      return JSON.stringify(maskSecrets(JSON.parse(text), words, depth + 1));
    } catch {
      // not JSON: masked as text below
    }
  }
  return maskSecretText(text, words);
}

/** A copy of a JSON value with every secret key's value (of any type) masked, and every string's credentials. */
export function maskSecrets(value: unknown, words = secretWords(), depth = 0): unknown {
  if (depth > 64) return MASK;
  if (typeof value === "string") return maskString(value, words, depth);
  if (value === null || typeof value !== "object") return value;
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

/** Masks a stored JSON text (as in `jobs.args`), pretty-printed; non-JSON text is masked as text. */
export function maskSecretsInJson(json: string | null, words = secretWords()): string | null {
  if (json === null) return null;
  try {
    return JSON.stringify(maskSecrets(JSON.parse(json), words), null, 2);
  } catch {
    return maskSecretText(json, words);
  }
}

/** Masks free text that may be null (errors, stacks, progress messages). */
export function maskSecretTextOrNull(text: string | null, words = secretWords()): string | null {
  return text === null ? null : maskSecretText(text, words);
}

/** Index just past the string literal starting at `i` (or the end of a cut text). */
function stringEnd(text: string, i: number): number {
  for (let j = i + 1; j < text.length; j++) {
    if (text[j] === "\\") j++;
    else if (text[j] === '"') return j + 1;
  }
  return text.length;
}

/** Index just past the JSON value starting at `i`: a string, a whole object/array, or a scalar. */
function valueEnd(text: string, i: number): number {
  const first = text[i];
  if (first === '"') return stringEnd(text, i);
  if (first === "{" || first === "[") {
    let depth = 0;
    for (let j = i; j < text.length; j++) {
      const c = text[j];
      if (c === '"') j = stringEnd(text, j) - 1;
      else if (c === "{" || c === "[") depth++;
      else if ((c === "}" || c === "]") && --depth === 0) return j + 1;
    }
    return text.length;
  }
  let j = i;
  while (j < text.length && !/[\s,}\]]/.test(text[j]!)) j++;
  return j;
}

function decodeKey(literal: string): string {
  try {
    return JSON.parse(literal) as string;
  } catch {
    return literal.slice(1, literal.endsWith('"') ? -1 : undefined);
  }
}

/** Masks secret keys' values in JSON that may be cut anywhere (scanned, not parsed). */
function maskCutJson(text: string, words: string[]): string {
  let out = "";
  let i = 0;
  while (i < text.length) {
    if (text[i] !== '"') {
      out += text[i];
      i++;
      continue;
    }
    const end = stringEnd(text, i);
    const literal = text.slice(i, end);
    out += literal;
    i = end;
    const colon = /^\s*:\s*/.exec(text.slice(i, i + 64));
    if (!colon || !isSecretKey(decodeKey(literal), words)) continue;
    const start = i + colon[0].length;
    const stop = valueEnd(text, start);
    const value = text.slice(start, stop);
    out += colon[0] + (value === "" || value === "null" || value === '""' ? value : `"${MASK}"`);
    i = stop;
  }
  return out;
}

/**
 * Masks a preview: the first few hundred characters of a JSON text or an error, usually cut
 * mid-way. Complete JSON is masked exactly (compact); cut JSON by scanning: a secret key keeps its
 * key and loses its whole value (string, object or array), up to the cut. Credentials in text too.
 */
export function maskSecretsInPreview(preview: string | null, words = secretWords()): string | null {
  if (preview === null) return null;
  try {
    return JSON.stringify(maskSecrets(JSON.parse(preview), words));
  } catch {
    return maskSecretText(maskCutJson(preview, words), words);
  }
}

/**
 * An edited JSON text in which values left as MASK take back their stored value at the same path
 * (so saving a form that showed masked arguments keeps the secrets). Non-JSON input is returned as is.
 */
export function restoreMaskedSecrets(edited: string, stored: string | null): string {
  if (stored === null) return edited;
  try {
    const restore = (next: unknown, old: unknown): unknown => {
      if (next === MASK) return old === undefined ? next : old;
      if (next === null || typeof next !== "object" || old === null || typeof old !== "object")
        return next;
      if (Array.isArray(next))
        return next.map((v, i) => restore(v, Array.isArray(old) ? old[i] : undefined));
      const out: Record<string, unknown> = {};
      for (const [k, v] of Object.entries(next)) {
        const before = Object.hasOwn(old, k) ? (old as Record<string, unknown>)[k] : undefined;
        Object.defineProperty(out, k, {
          value: restore(v, before),
          enumerable: true,
          writable: true,
          configurable: true,
        });
      }
      return out;
    };
    if (!edited.includes(MASK)) return edited;
    return JSON.stringify(restore(JSON.parse(edited), JSON.parse(stored)));
  } catch {
    return edited;
  }
}
