import type { Metadata } from "next";
import clsx from "clsx";
import Link from "next/link";
import { connection } from "next/server";
import { requireUser } from "@/app/_lib/auth";
import { PageHeader } from "@/components/ui/card";
import { FailureGroupsTable } from "@/components/jobs/failure-groups-table";
import { loadFailureGroups } from "../_lib/data";
import { ResultsPageBody } from "../_lib/results-page";
import { parseResultsSearch, type RawSearchParams } from "../_lib/search-params";

export const metadata: Metadata = { title: "Failures" };

/** Failed jobs with Retry/Delete per row and in bulk, or grouped by error message. */
export default async function FailuresPage({
  searchParams,
}: {
  searchParams: Promise<RawSearchParams>;
}) {
  await connection();
  await requireUser();
  const search = parseResultsSearch(await searchParams);
  const tab = (view: "list" | "groups", label: string) => (
    <Link
      href={view === "list" ? "/failures" : "/failures?view=groups"}
      aria-current={search.view === view ? "page" : undefined}
      className={clsx(
        "rounded-md px-3 py-1.5 text-sm font-medium",
        search.view === view
          ? "bg-white text-zinc-900 shadow-sm dark:bg-zinc-800 dark:text-white"
          : "text-zinc-500 hover:text-zinc-900 dark:text-zinc-400 dark:hover:text-white",
      )}
    >
      {label}
    </Link>
  );
  return (
    <>
      <PageHeader
        title="Failures"
        description="Jobs that failed for good. Retrying keeps the failure and links it to the new job."
        actions={
          <div className="flex rounded-lg bg-zinc-100 p-1 dark:bg-zinc-900">
            {tab("list", "All failures")}
            {tab("groups", "Grouped by error")}
          </div>
        }
      />
      {search.view === "groups" ? (
        <FailureGroupsTable groups={await loadFailureGroups()} />
      ) : (
        <ResultsPageBody state="failure" searchParams={searchParams} />
      )}
    </>
  );
}
