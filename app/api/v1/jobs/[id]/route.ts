/** GET /api/v1/jobs/:id: a job and its outcome (any signed-in user or API token). */
import { authorizeRequest } from "@/app/_lib/auth";
import { errorResponse } from "@/app/_lib/json-body";
import { getDb } from "@/db/client";
import { readJob } from "@/db/queries/read";

/** Answers `{ job }` (status queued, running, success or failure), 400 for a bad id, 404 when unknown. */
export async function GET(
  request: Request,
  { params }: { params: Promise<{ id: string }> },
): Promise<Response> {
  const auth = await authorizeRequest(request, { mutation: false });
  if ("response" in auth) return auth.response;
  const { id } = await params;
  if (!/^[1-9][0-9]{0,14}$/.test(id))
    return errorResponse(400, "invalid", "The job id must be a positive whole number", "id");
  const job = readJob(getDb(), Number(id));
  if (!job) return errorResponse(404, "not_found", `No job ${id}`, "id");
  return Response.json({ job }, { headers: { "Cache-Control": "no-store" } });
}
