"use client";
import type { QueueSearch } from "@/app/(dashboard)/_lib/search-params";
import { useListUrl } from "./list-url";

const control =
  "h-9 rounded-md border border-zinc-300 bg-white px-2.5 text-sm shadow-sm dark:border-zinc-700 dark:bg-zinc-900";

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
      <select
        aria-label="Task"
        value={search.task ?? ""}
        onChange={(e) => update({ task: e.target.value })}
        className={control}
      >
        <option value="">All tasks</option>
        {tasks.map((t) => (
          <option key={t}>{t}</option>
        ))}
      </select>
      <select
        aria-label="Queue"
        value={search.queue ?? ""}
        onChange={(e) => update({ queue: e.target.value })}
        className={control}
      >
        <option value="">All queues</option>
        {queues.map((q) => (
          <option key={q}>{q}</option>
        ))}
      </select>
    </div>
  );
}
