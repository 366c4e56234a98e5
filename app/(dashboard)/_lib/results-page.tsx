import { connection } from "next/server";
import { requireUser } from "@/app/_lib/auth";
import { getStore } from "@/db/store";
import { ResultFilters } from "@/components/jobs/result-filters";
import { ResultsView } from "@/components/jobs/results-view";
import { loadResults, resultsSearchString } from "./data";
import { parseResultsSearch, type RawSearchParams } from "./search-params";
import type { ResultState } from "@/db/schema";

/** The body of the Successes and Failures pages (server): parse the URL, load, hand over. */
export async function ResultsPageBody({
  state,
  searchParams,
}: {
  state: ResultState;
  searchParams: Promise<RawSearchParams>;
}) {
  await connection();
  const user = await requireUser();
  const search = parseResultsSearch(await searchParams);
  const searchString = resultsSearchString(search);
  const initialData = await loadResults(state, search, user.role);
  const options = await getStore().reads.listFilterOptions();
  return (
    <ResultsView
      key={state}
      state={state}
      search={search}
      searchString={searchString}
      initialData={initialData}
      canEdit={user.role === "admin"}
      filters={
        <ResultFilters
          key={searchString}
          search={search}
          tasks={options.tasks}
          queues={options.queues}
          showRetried={state === "failure"}
        />
      }
    />
  );
}
