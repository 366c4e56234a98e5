/**
 * GET /api/v1/jobs/:id: a job and its outcome (any signed-in user or API token), secrets masked.
 * `?reveal=1` (admins only) answers the unmasked values and records `job.reveal` in the audit log.
 */
import { authorizeRequest } from "@/app/_lib/auth";
import { errorResponse } from "@/app/_lib/json-body";
import { clientAddress } from "@/app/_lib/request-security";
import { maskJobInfo } from "@/app/(dashboard)/_lib/data";
import { getStore } from "@/db/store";

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
  const reveal = new URL(request.url).searchParams.get("reveal");
  if (reveal !== null && reveal !== "0" && reveal !== "1")
    return errorResponse(400, "invalid", "reveal must be 1 (unmasked, admins only) or 0", "reveal");
  const store = getStore();
  const job = await store.library.readJob(Number(id));
  if (!job) return errorResponse(404, "not_found", `No job ${id}`, "id");
  if (reveal === "1") {
    if (auth.user.role !== "admin")
      return errorResponse(403, "forbidden", "Only admins may reveal masked values", "reveal");
    const raw = await store.admin.revealJob(
      { id: job.id },
      { name: auth.user.username, address: clientAddress(request.headers) },
    );
    if (!raw) return errorResponse(404, "not_found", `No job ${id}`, "id");
    return Response.json({ job: { ...job, ...raw } }, { headers: { "Cache-Control": "no-store" } });
  }
  return Response.json({ job: maskJobInfo(job) }, { headers: { "Cache-Control": "no-store" } });
}
