/**
 * TanStack Query options for the live lists: key and fetcher defined once. Pages render the first
 * data on the server and hand it over as initialData under the same key; clients poll the JSON
 * routes (which call the same loaders) while the tab is visible and live refresh is on.
 */
import { queryOptions } from "@tanstack/react-query";
import type { OverviewPayload, QueuePayload, ResultsPayload } from "./data";
import type { ResultState } from "@/db/schema";

/** Fetches JSON from our own API; a signed-out answer sends the browser to the sign-in page. */
export async function fetchJson<T>(url: string, signal?: AbortSignal): Promise<T> {
  const response = await fetch(url, {
    signal,
    headers: { accept: "application/json" },
    cache: "no-store",
  });
  if (response.status === 401 && typeof window !== "undefined") {
    // A full page load, not a client navigation: the session is gone, so the whole shell must reload.
    // eslint-disable-next-line @next/next/no-location-assign-relative-destination -- see above
    window.location.href = `/login?next=${encodeURIComponent(window.location.pathname + window.location.search)}`;
  }
  if (!response.ok) throw new Error(`${url} answered ${response.status}`);
  return (await response.json()) as T;
}

/** Key prefix of every results list (invalidate it after a retry or delete). */
export const RESULTS_KEY = ["results"] as const;
/** Key of the Queue page data. */
export const QUEUE_KEY = ["queue"] as const;
/** Key of the Overview data. */
export const OVERVIEW_KEY = ["overview"] as const;

/** One page of Successes or Failures; `search` is the canonical query string (resultsSearchString). */
export function resultsQuery(state: ResultState, search: string) {
  return queryOptions({
    queryKey: [...RESULTS_KEY, state, search],
    queryFn: ({ signal }) =>
      fetchJson<ResultsPayload>(`/api/results?state=${state}${search ? `&${search}` : ""}`, signal),
  });
}

/** The Queue page; `search` is the canonical query string (queueSearchString). */
export function queueQuery(search: string) {
  return queryOptions({
    queryKey: [...QUEUE_KEY, search],
    queryFn: ({ signal }) =>
      fetchJson<QueuePayload>(`/api/queue${search ? `?${search}` : ""}`, signal),
  });
}

/** The Overview. */
export function overviewQuery() {
  return queryOptions({
    queryKey: OVERVIEW_KEY,
    queryFn: ({ signal }) => fetchJson<OverviewPayload>(`/api/overview`, signal),
  });
}
