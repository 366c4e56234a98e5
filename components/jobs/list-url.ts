"use client";
import { usePathname, useRouter, useSearchParams } from "next/navigation";
import { useCallback } from "react";
import type { ResultsSearch } from "@/app/(dashboard)/_lib/search-params";

/**
 * Updates the list state in the URL. Changing anything but the page (`after` or `before`) resets
 * the page;
 * `undefined` or "" removes a param. Uses push so back/forward walk through views.
 */
export function useListUrl() {
  const router = useRouter();
  const pathname = usePathname();
  const searchParams = useSearchParams();
  const hrefWith = useCallback(
    (changes: Record<string, string | undefined>) => {
      const params = new URLSearchParams(searchParams.toString());
      if (!("after" in changes) && !("before" in changes)) {
        params.delete("after");
        params.delete("before");
      }
      for (const [k, v] of Object.entries(changes)) {
        if (v === undefined || v === "") params.delete(k);
        else params.set(k, v);
      }
      const query = params.toString();
      return query ? `${pathname}?${query}` : pathname;
    },
    [pathname, searchParams],
  );
  const update = useCallback(
    (changes: Record<string, string | undefined>) =>
      router.push(hrefWith(changes), { scroll: false }),
    [router, hrefWith],
  );
  return { update, hrefWith, searchParams };
}

/** Whether a results list shows less than everything (any filter, or a time range but "all"). */
export function isResultsFiltered(search: ResultsSearch): boolean {
  return Boolean(
    search.task ||
    search.queue ||
    search.group ||
    search.q ||
    search.error ||
    search.retried ||
    search.range !== "all",
  );
}
