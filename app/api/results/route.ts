import { authorizeRequest } from "@/app/_lib/auth";
import { loadResults } from "@/app/(dashboard)/_lib/data";
import { parseResultsSearch } from "@/app/(dashboard)/_lib/search-params";
import { getDb } from "@/db/client";

/** GET /api/results?state=success|failure&<list params>: one page of a results list (live refresh). */
export async function GET(request: Request) {
  const auth = await authorizeRequest(request, { mutation: false });
  if ("response" in auth) return auth.response;
  const params = new URL(request.url).searchParams;
  const state = params.get("state") === "failure" ? "failure" : "success";
  return Response.json(loadResults(getDb(), state, parseResultsSearch(params), auth.user.role), {
    headers: { "Cache-Control": "no-store" },
  });
}
