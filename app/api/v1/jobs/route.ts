/** POST /api/v1/jobs: enqueue a job (admin session or admin API token). See docs/SECURITY.md. */
import { z } from "zod";
import { authorizeRequest } from "@/app/_lib/auth";
import { BodyError, errorResponse, readJsonObject } from "@/app/_lib/json-body";
import { clientAddress } from "@/app/_lib/request-security";
import { InputError } from "@/db/errors";
import { getStore } from "@/db/store";

const enqueueSchema = z.strictObject({
  task: z.string(),
  args: z.unknown().optional(),
  queue: z.string().optional(),
  priority: z.number().optional(),
  delay: z.number().optional(),
  group: z.string().optional(),
  timeout: z.number().optional(),
  maxAttempts: z.number().optional(),
  uniqueKey: z.string().optional(),
  name: z.string().optional(),
});

function firstIssue(error: z.ZodError): { message: string; field: string | undefined } {
  const issue = error.issues[0];
  if (!issue) return { message: "The body is invalid", field: undefined };
  if (issue.code === "unrecognized_keys") {
    const key = issue.keys[0] ?? "";
    return { message: `Unknown field "${key}"`, field: key };
  }
  const field = issue.path.map(String).join(".") || undefined;
  return { message: `${field ?? "body"}: ${issue.message}`, field };
}

/** Enqueues one job; answers 201 `{ id }`, or 400/413/415 naming the field at fault. */
export async function POST(request: Request): Promise<Response> {
  const auth = await authorizeRequest(request, { mutation: true });
  if ("response" in auth) return auth.response;
  try {
    const body = await readJsonObject(request);
    const parsed = enqueueSchema.safeParse(body);
    if (!parsed.success) {
      const { message, field } = firstIssue(parsed.error);
      return errorResponse(400, "invalid", message, field);
    }
    const { task, args, ...options } = parsed.data;
    const id = await getStore().admin.enqueue(
      { task, args, options, via: "api" },
      { name: auth.user.username, address: clientAddress(request.headers) },
    );
    return Response.json({ id }, { status: 201, headers: { "Cache-Control": "no-store" } });
  } catch (error) {
    if (error instanceof BodyError)
      return errorResponse(error.status, "invalid", error.message, error.field);
    if (error instanceof InputError)
      return errorResponse(400, "invalid", error.message, error.field);
    throw error;
  }
}
