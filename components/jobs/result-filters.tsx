"use client";
import { useState } from "react";
import type { ResultsSearch } from "@/app/(dashboard)/_lib/search-params";
import { Button } from "@/components/ui/button";
import { TaskQueueSelects, filterControl } from "./filter-select";
import { isResultsFiltered, useListUrl } from "./list-url";

const RANGE_LABELS: Record<ResultsSearch["range"], string> = {
  "15m": "Last 15 minutes",
  "1h": "Last hour",
  "24h": "Last 24 hours",
  "7d": "Last 7 days",
  "30d": "Last 30 days",
  all: "Any time",
};

/** Filters of a results list (task, queue, group, time range, retried) and the search box; all in the URL. */
export function ResultFilters({
  search,
  tasks,
  queues,
  showRetried,
}: {
  search: ResultsSearch;
  tasks: string[];
  queues: string[];
  showRetried: boolean;
}) {
  const { update } = useListUrl();
  const [q, setQ] = useState(search.q ?? "");
  const [group, setGroup] = useState(search.group ?? "");
  const isFiltered = isResultsFiltered(search);
  return (
    <form
      role="search"
      className="flex flex-wrap items-center gap-2"
      onSubmit={(event) => {
        event.preventDefault();
        update({ q: q.trim(), group: group.trim() });
      }}
    >
      <div className="relative min-w-56 flex-1">
        <svg
          viewBox="0 0 20 20"
          fill="currentColor"
          className="pointer-events-none absolute top-2.5 left-2.5 size-4 text-zinc-400"
          aria-hidden="true"
        >
          <path
            fillRule="evenodd"
            d="M9 3.5a5.5 5.5 0 1 0 0 11 5.5 5.5 0 0 0 0-11ZM2 9a7 7 0 1 1 12.45 4.39l3.08 3.08a.75.75 0 1 1-1.06 1.06l-3.08-3.08A7 7 0 0 1 2 9Z"
            clipRule="evenodd"
          />
        </svg>
        <input
          type="search"
          aria-label="Search"
          placeholder="Search by id, name, task, arguments, result or error"
          value={q}
          onChange={(e) => setQ(e.target.value)}
          className={`${filterControl} w-full pl-8`}
        />
      </div>
      <TaskQueueSelects search={search} tasks={tasks} queues={queues} update={update} />
      <input
        aria-label="Group"
        placeholder="Group"
        value={group}
        onChange={(e) => setGroup(e.target.value)}
        onBlur={() => group.trim() !== (search.group ?? "") && update({ group: group.trim() })}
        className={`${filterControl} w-32`}
      />
      <select
        aria-label="Time range"
        value={search.range}
        onChange={(e) => update({ range: e.target.value })}
        className={filterControl}
      >
        {Object.entries(RANGE_LABELS).map(([value, label]) => (
          <option key={value} value={value}>
            {label}
          </option>
        ))}
      </select>
      {showRetried && (
        <select
          aria-label="Retried"
          value={search.retried ?? ""}
          onChange={(e) => update({ retried: e.target.value })}
          className={filterControl}
        >
          <option value="">Retried or not</option>
          <option value="no">Not retried</option>
          <option value="yes">Retried</option>
        </select>
      )}
      <Button type="submit" variant="secondary">
        Search
      </Button>
      {isFiltered && (
        <Button
          variant="ghost"
          onClick={() => {
            setQ("");
            setGroup("");
            update({
              q: undefined,
              task: undefined,
              queue: undefined,
              group: undefined,
              range: undefined,
              error: undefined,
              retried: undefined,
            });
          }}
        >
          Clear filters
        </Button>
      )}
    </form>
  );
}
