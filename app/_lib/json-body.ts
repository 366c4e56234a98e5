/**
 * Reading JSON request bodies safely: size-capped while streaming (413), JSON only (415/400), and
 * no prototype-pollution keys anywhere (400 naming the path).
 */

/** Largest request body the JSON API accepts (JOBDECK_MAX_BODY_BYTES, default 256 KiB). */
export function maxBodyBytes(): number {
  const raw = Number(process.env.JOBDECK_MAX_BODY_BYTES ?? 256 * 1024);
  return Number.isInteger(raw) && raw > 0 ? raw : 256 * 1024;
}

/** A client mistake in a request body: status and the field at fault. */
export class BodyError extends Error {
  readonly status: 400 | 413 | 415;
  readonly field: string | undefined;
  constructor(status: 400 | 413 | 415, message: string, field?: string) {
    super(message);
    this.name = "BodyError";
    this.status = status;
    this.field = field;
  }
}

const FORBIDDEN_KEYS = new Set(["__proto__", "constructor", "prototype"]);

/** Throws BodyError (400) naming the path of the first `__proto__`/`constructor`/`prototype` key. */
export function assertNoPrototypeKeys(value: unknown, path = "", depth = 0): void {
  if (depth > 64)
    throw new BodyError(400, "The body is nested more than 64 levels deep", path || undefined);
  if (value === null || typeof value !== "object") return;
  for (const key of Object.keys(value)) {
    const here = path === "" ? key : `${path}.${key}`;
    if (FORBIDDEN_KEYS.has(key))
      throw new BodyError(400, `The key "${key}" is not allowed (${here})`, here);
    assertNoPrototypeKeys((value as Record<string, unknown>)[key], here, depth + 1);
  }
}

async function readCapped(request: Request, max: number): Promise<string> {
  const declared = request.headers.get("content-length");
  if (declared !== null && Number(declared) > max) {
    throw new BodyError(413, `The body is larger than ${max} bytes`);
  }
  if (!request.body) return "";
  const reader = request.body.getReader();
  const chunks: Uint8Array[] = [];
  let size = 0;
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    size += value.byteLength;
    if (size > max) {
      await reader.cancel();
      throw new BodyError(413, `The body is larger than ${max} bytes`);
    }
    chunks.push(value);
  }
  try {
    return new TextDecoder("utf-8", { fatal: true }).decode(Buffer.concat(chunks));
  } catch {
    throw new BodyError(400, "The body is not valid UTF-8");
  }
}

/** Reads and parses a JSON object body; throws BodyError for anything else. */
export async function readJsonObject(
  request: Request,
  max = maxBodyBytes(),
): Promise<Record<string, unknown>> {
  const type = (request.headers.get("content-type") ?? "").split(";")[0]?.trim().toLowerCase();
  if (type !== "application/json") {
    throw new BodyError(415, "Send the body as JSON with Content-Type: application/json");
  }
  const text = await readCapped(request, max);
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (error) {
    throw new BodyError(
      400,
      `The body is not valid JSON: ${(error as Error).message.slice(0, 200)}`,
    );
  }
  if (value === null || typeof value !== "object" || Array.isArray(value)) {
    throw new BodyError(400, "The body must be a JSON object");
  }
  assertNoPrototypeKeys(value);
  return value as Record<string, unknown>;
}

/** A JSON error response `{ error, message, field? }` with no-store caching. */
export function errorResponse(
  status: number,
  error: string,
  message: string,
  field?: string,
): Response {
  return Response.json(
    { error, message, ...(field ? { field } : {}) },
    { status, headers: { "Cache-Control": "no-store" } },
  );
}
