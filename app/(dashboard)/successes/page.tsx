import type { Metadata } from "next";
import { PageHeader } from "@/components/ui/card";
import { ResultsPageBody } from "../_lib/results-page";
import type { RawSearchParams } from "../_lib/search-params";

export const metadata: Metadata = { title: "Successes" };

/** Successful jobs: searchable, filterable, sortable by Started, Stopped and Duration. */
export default function SuccessesPage({
  searchParams,
}: {
  searchParams: Promise<RawSearchParams>;
}) {
  return (
    <>
      <PageHeader
        title="Successes"
        description="Jobs that finished successfully, newest first. Click a row for the full result."
      />
      <ResultsPageBody state="success" searchParams={searchParams} />
    </>
  );
}
