/**
 * Error fingerprints: what failures are grouped by. As error trackers do, the first line of an
 * error is normalised so that messages differing only in their data -- numbers, ids (UUIDs), hex
 * values and quoted values -- share one group: "payment declined for order 881789" and "... order
 * 12" are both "payment declined for order <num>".
 *
 * The fingerprint is computed in JS and stored with the failure (`results.error_fingerprint`) by
 * the statements that record one, through the SQL function `jobdeck_error_fingerprint` that
 * openDb registers on every connection. It is called by those statements only, never by a
 * trigger, index or generated column, so tools without the function (the sqlite3 shell) can still
 * read and write every table; a failure written without a fingerprint is grouped by its exact
 * first line (`results.error_group`).
 */
import type Database from "better-sqlite3";

/** Name of the SQL function registered by registerFingerprintFunction. */
export const FINGERPRINT_FUNCTION = "jobdeck_error_fingerprint";

/** Longest fingerprint kept (characters); longer first lines are grouped by their start. */
export const MAX_FINGERPRINT_CHARS = 500;

// Applied in order: a UUID or a hex run must be replaced before its digits are taken as numbers.
const RULES: [RegExp, string][] = [
  // Quoted values, not apostrophes inside words ("can't", "user's").
  [/(?<![\p{L}\p{N}])"(?:[^"\\]|\\.)*"/gu, "<str>"],
  [/(?<![\p{L}\p{N}])'(?:[^'\\]|\\.)*'(?![\p{L}\p{N}])/gu, "<str>"],
  [/`[^`]*`/g, "<str>"],
  [/\b[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}\b/gi, "<uuid>"],
  [/\b\d{4}-\d\d-\d\d(?:[T ]\d\d:\d\d(?::\d\d(?:\.\d+)?)?(?:Z|[+-]\d\d:?\d\d)?)?\b/g, "<time>"],
  [/\b0x[0-9a-f]+\b/gi, "<hex>"],
  // Hex ids and hashes: 7+ hex digits with at least one digit and one letter (a word like
  // "deadbeef" or "facade" stays, as does a plain number, which the next rule takes).
  [/\b(?=[0-9a-f]*\d)(?=[0-9a-f]*[a-f])[0-9a-f]{7,}\b/gi, "<hex>"],
  // Numbers not at the end of a word ("sha256", "v2" and "utf8" stay; "user_42", "#42" and the
  // 5 of "5s" do not). A dotted or coloned run (an address, a version, a time) is one number.
  [/(?<![\p{L}\d])\d+(?:[.:,]\d+)*/gu, "<num>"],
  [/\s+/g, " "],
];

/** The first line of an error, as `results.error_message` computes it ('' when none). */
export function firstLine(error: string | null | undefined): string {
  if (!error) return "";
  const end = error.indexOf("\n");
  return end === -1 ? error : error.slice(0, end);
}

/**
 * The group key of an error: its first line with numbers, UUIDs, hex values and quoted values
 * replaced by `<num>`, `<uuid>`, `<hex>` and `<str>`, runs of white space made one space, cut to
 * MAX_FINGERPRINT_CHARS. Null for a null error (a success).
 */
export function errorFingerprint(error: string | null | undefined): string | null {
  if (error === null || error === undefined) return null;
  let text = firstLine(error).slice(0, MAX_FINGERPRINT_CHARS * 4);
  for (const [pattern, replacement] of RULES) text = text.replace(pattern, replacement);
  return text.trim().slice(0, MAX_FINGERPRINT_CHARS);
}

/** Registers `jobdeck_error_fingerprint(error)` (errorFingerprint) on a connection. */
export function registerFingerprintFunction(sqlite: Database.Database): void {
  sqlite.function(FINGERPRINT_FUNCTION, { deterministic: true }, (error: unknown) =>
    errorFingerprint(typeof error === "string" ? error : error == null ? null : String(error)),
  );
}
