"use client";
import type { QueueSearch } from "@/app/(dashboard)/_lib/search-params";
import { FilterSelect } from "./filter-select";
import { useListUrl } from "./list-url";

/** Task and queue filters of the Queue page (in the URL). */
export function QueueFilters({
  search,
  tasks,
  queues,
}: {
  search: QueueSearch;
  tasks: string[];
  queues: string[];
}) {
  const { update } = useListUrl();
  return (
    <div className="flex flex-wrap gap-2">
      <FilterSelect
        label="Task"
        allLabel="All tasks"
        value={search.task}
        options={tasks}
        onChange={(task) => update({ task })}
      />
      <FilterSelect
        label="Queue"
        allLabel="All queues"
        value={search.queue}
        options={queues}
        onChange={(queue) => update({ queue })}
      />
    </div>
  );
}
