import { authorizeRequest } from "@/app/_lib/auth";
import { loadQueue } from "@/app/(dashboard)/_lib/data";
import { parseQueueSearch } from "@/app/(dashboard)/_lib/search-params";

/** GET /api/queue?<list params>: running jobs and a page of queued jobs (live refresh). */
export async function GET(request: Request) {
  const auth = await authorizeRequest(request, { mutation: false });
  if ("response" in auth) return auth.response;
  const params = new URL(request.url).searchParams;
  return Response.json(await loadQueue(parseQueueSearch(params)), {
    headers: { "Cache-Control": "no-store" },
  });
}
