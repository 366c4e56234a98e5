import { authorizeRequest } from "@/app/_lib/auth";
import { loadResults } from "@/app/(dashboard)/_lib/data";
import { parseResultsSearch } from "@/app/(dashboard)/_lib/search-params";

/** GET /api/results?state=success|failure&<list params>: one page of a results list (live refresh). */
export async function GET(request: Request) {
  const auth = await authorizeRequest(request, { mutation: false });
  if ("response" in auth) return auth.response;
  const params = new URL(request.url).searchParams;
  const state = params.get("state") === "failure" ? "failure" : "success";
  const payload = await loadResults(state, parseResultsSearch(params), auth.user.role);
  return Response.json(payload, { headers: { "Cache-Control": "no-store" } });
}
