"use client";
import type { QueueSearch } from "@/app/(dashboard)/_lib/search-params";
import { TaskQueueSelects } from "./filter-select";
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
      <TaskQueueSelects search={search} tasks={tasks} queues={queues} update={update} />
    </div>
  );
}
