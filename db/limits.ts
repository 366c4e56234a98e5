/** Size caps for everything a job carries (documented in the README). Override by environment. */
function intFromEnv(name: string, fallback: number): number {
  const raw = process.env[name];
  if (raw === undefined || raw === "") return fallback;
  const value = Number(raw);
  if (!Number.isInteger(value) || value <= 0) {
    throw new Error(`${name}="${raw}" must be a positive whole number of bytes`);
  }
  return value;
}

/** Largest JSON arguments a job may carry (default 64 KiB, JOBDECK_MAX_ARGS_BYTES). */
export const MAX_ARGS_BYTES = intFromEnv("JOBDECK_MAX_ARGS_BYTES", 64 * 1024);
/** Largest JSON result stored; larger results are replaced by a truncated preview (default 64 KiB). */
export const MAX_RESULT_BYTES = intFromEnv("JOBDECK_MAX_RESULT_BYTES", 64 * 1024);
/** Longest error message stored (default 8 KiB). */
export const MAX_ERROR_CHARS = 8 * 1024;
/** Longest stack stored (default 16 KiB). */
export const MAX_STACK_CHARS = 16 * 1024;
/** Longest task, queue, group, name or unique key (characters). */
export const MAX_NAME_CHARS = 200;

/** The allowed range of one numeric input; `unit` is said in messages ("seconds"). */
export interface NumberRange {
  min: number;
  max: number;
  isInteger: boolean;
  unit?: string;
}

const DAY_SECONDS = 86_400;

/**
 * The range of every number a caller may give, by field, checked at every door (library, CLI,
 * JSON API, dashboard forms). Times stay far inside what a JavaScript Date can show.
 */
export const NUMBER_RANGES = {
  /** Seconds to wait before a job may run: up to 10 years. */
  delay: { min: 0, max: 3650 * DAY_SECONDS, isInteger: false, unit: "seconds" },
  /** A job's own timeout: 1 ms to 24 days (setTimeout's ceiling is 24.8 days). */
  timeout: { min: 0.001, max: 24 * DAY_SECONDS, isInteger: false, unit: "seconds" },
  /** Priority of a job or a schedule's jobs. */
  priority: { min: -1_000_000, max: 1_000_000, isInteger: true },
  /** Runs before a job fails for good. */
  maxAttempts: { min: 1, max: 1000, isInteger: true },
  /** An absolute run time in epoch milliseconds: 1970 to the end of 9999. */
  runAt: { min: 0, max: 253_402_300_799_999, isInteger: true, unit: "epoch milliseconds" },
  /** Minutes between runs of an every-N-minutes schedule: up to a year. */
  scheduleMinutes: { min: 1, max: 366 * 1440, isInteger: true },
  /** Runs left of a schedule; -1 = forever. */
  scheduleRepeats: { min: -1, max: 1_000_000_000, isInteger: true },
  /** Copies enqueued by one `enqueue --count`. */
  count: { min: 1, max: 1_000_000, isInteger: true },
  /** Rows added by one `seed` option. */
  seedRows: { min: 0, max: 100_000_000, isInteger: true },
  /** A row id given on the command line or in a URL. */
  id: { min: 1, max: Number.MAX_SAFE_INTEGER, isInteger: true },
} as const satisfies Record<string, NumberRange>;

/** "between 0 and 315360000 seconds" / "a whole number between 1 and 1000". */
export function describeRange(range: NumberRange): string {
  const kind = range.isInteger ? "a whole number " : "";
  const unit = range.unit ? ` ${range.unit}` : "";
  return `${kind}between ${range.min} and ${range.max}${unit}`;
}

/**
 * Why `value` is outside `range` ("must be between … "), or null when it fits. Accepts only
 * finite numbers of type number.
 */
export function rangeProblem(value: unknown, range: NumberRange): string | null {
  if (
    typeof value !== "number" ||
    !Number.isFinite(value) ||
    value < range.min ||
    value > range.max ||
    (range.isInteger && !Number.isInteger(value))
  ) {
    return `must be ${describeRange(range)}`;
  }
  return null;
}

/** A plain decimal: optional sign, digits, optional fraction (no hex, exponent, spaces, junk). */
const DECIMAL = /^[+-]?(?:\d+(?:\.\d*)?|\.\d+)$/;

/**
 * Reads a number typed as text (CLI option, form field): plain decimals only, so "0x10", "1e20",
 * "", "NaN" and "5s" read as NaN rather than as 16, 1e20, 0 or a surprise.
 */
export function parseDecimal(text: string): number {
  return DECIMAL.test(text) ? Number(text) : Number.NaN;
}

/** NUL, or a UTF-16 surrogate without its pair (paired ones are one code point under /u). */
const UNSTORABLE_TEXT = /\u0000|[\uD800-\uDFFF]/u;

/**
 * Why a name cannot be stored as typed (a NUL byte or a lone surrogate), or null. Every door
 * that stores a name (task, queue, group, unique key, job, schedule, user, token) calls it.
 */
export function textProblem(value: string): string | null {
  const match = UNSTORABLE_TEXT.exec(value);
  if (!match) return null;
  return match[0] === "\u0000"
    ? "must not contain a NUL character (U+0000)"
    : `must not contain a lone surrogate (U+${match[0].charCodeAt(0).toString(16).toUpperCase()}); send well-formed Unicode`;
}

/** Cuts a string to `max` characters, marking the cut. */
export function truncateText(value: string, max: number): string {
  return value.length <= max
    ? value
    : `${value.slice(0, max)}… [${value.length - max} more characters]`;
}

/** Serialises a task result, replacing one over MAX_RESULT_BYTES by a truncated preview object. */
export function serializeResult(value: unknown): string {
  let json: string | undefined;
  try {
    json = JSON.stringify(value === undefined ? null : value);
  } catch (error) {
    json = JSON.stringify({ $unserializable: String(error) });
  }
  json ??= "null";
  if (Buffer.byteLength(json) <= MAX_RESULT_BYTES) return json;
  return JSON.stringify({
    $truncated: true,
    bytes: Buffer.byteLength(json),
    preview: json.slice(0, 2000),
  });
}
