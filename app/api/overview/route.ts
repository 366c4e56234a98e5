import { authorizeRequest } from "@/app/_lib/auth";
import { loadOverview } from "@/app/(dashboard)/_lib/data";

/** GET /api/overview: counts, throughput, workers and latest failures (live refresh). */
export async function GET(request: Request) {
  const auth = await authorizeRequest(request, { mutation: false });
  if ("response" in auth) return auth.response;
  return Response.json(await loadOverview(), { headers: { "Cache-Control": "no-store" } });
}
