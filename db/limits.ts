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
