"use client";
import clsx from "clsx";
import Link from "next/link";
import { useRouter } from "next/navigation";
import type { ResultListRow } from "@/app/(dashboard)/_lib/data";
import type { ResultsSearch } from "@/app/(dashboard)/_lib/search-params";
import { Badge } from "@/components/ui/badge";
import { Button } from "@/components/ui/button";
import { EmptyState } from "@/components/ui/card";
import { firstLine, formatDuration, jobDisplayName, visibleText } from "@/components/ui/format";
import { Table, Td, Th } from "@/components/ui/table";
import { Time } from "@/components/ui/time";
import { isResultsFiltered } from "./list-url";
import { SortHeader } from "./sort-header";
import { TaskName } from "./task-name";
import type { ResultState } from "@/db/schema";

/** The columns the list sorts by, in the table's order. */
const SORTABLE_COLUMNS: { label: string; sortKey: ResultsSearch["sort"]; className?: string }[] = [
  { label: "Started", sortKey: "started" },
  { label: "Stopped", sortKey: "stopped" },
  { label: "Duration", sortKey: "duration", className: "text-right" },
  { label: "Attempts", sortKey: "attempts", className: "text-right" },
];

/** The Successes/Failures table. Rows open the job page; failures have Retry and Delete. */
export function ResultsTable({
  state,
  rows,
  search,
  canEdit,
  selected,
  busyIds,
  onSelect,
  onRetry,
  onDelete,
}: {
  state: ResultState;
  rows: ResultListRow[];
  search: ResultsSearch;
  canEdit: boolean;
  selected: Set<number>;
  busyIds: Set<number>;
  onSelect: (ids: number[], isOn: boolean) => void;
  onRetry: (id: number) => void;
  onDelete: (id: number) => void;
}) {
  const router = useRouter();
  const isFailures = state === "failure";
  const hasCheckboxes = canEdit;
  const allIds = rows.map((r) => r.id);
  const isAllSelected = rows.length > 0 && allIds.every((id) => selected.has(id));
  const isFiltered = isResultsFiltered(search);

  if (rows.length === 0) {
    return isFiltered ? (
      <EmptyState title={`No ${isFailures ? "failures" : "successes"} match these filters`}>
        Widen the time range, clear the search or pick another task.
      </EmptyState>
    ) : isFailures ? (
      <EmptyState title="No failures">
        Jobs that fail after their last attempt appear here, with their error and stack, ready to
        retry.
      </EmptyState>
    ) : (
      <EmptyState title="No successes yet">
        Finished jobs appear here as workers complete them. Enqueue one from the Queue page or with{" "}
        <code className="font-mono text-xs">npm run jobdeck -- enqueue demo.echo</code>.
      </EmptyState>
    );
  }

  return (
    <Table>
      <thead>
        <tr>
          {hasCheckboxes && (
            <Th className="w-8">
              <input
                type="checkbox"
                aria-label="Select all on this page"
                checked={isAllSelected}
                onChange={(e) => onSelect(allIds, e.target.checked)}
                className="size-4 rounded border-zinc-300 accent-indigo-600"
              />
            </Th>
          )}
          <Th>Name</Th>
          <Th>Task</Th>
          <Th>Queue</Th>
          {SORTABLE_COLUMNS.map((column) => (
            <SortHeader key={column.sortKey} {...column} sort={search.sort} dir={search.dir} />
          ))}
          <Th>Group</Th>
          <Th className="w-full">{isFailures ? "Error" : "Result"}</Th>
          {isFailures && canEdit && <Th className="text-right">Actions</Th>}
        </tr>
      </thead>
      <tbody>
        {rows.map((row) => {
          const isSelected = selected.has(row.id);
          const isBusy = busyIds.has(row.id);
          return (
            <tr
              key={row.id}
              onClick={(event) => {
                const target = event.target as HTMLElement;
                if (target.closest("a,button,input,label")) return;
                router.push(`/jobs/${row.id}`);
              }}
              className={clsx(
                "cursor-pointer transition-colors",
                isSelected
                  ? "bg-indigo-50/70 dark:bg-indigo-950/30"
                  : "hover:bg-zinc-50 dark:hover:bg-zinc-800/40",
                isBusy && "opacity-60",
              )}
            >
              {hasCheckboxes && (
                <Td>
                  <input
                    type="checkbox"
                    aria-label={`Select ${jobDisplayName(row)}`}
                    checked={isSelected}
                    onChange={(e) => onSelect([row.id], e.target.checked)}
                    className="size-4 rounded border-zinc-300 accent-indigo-600"
                  />
                </Td>
              )}
              <Td className="max-w-56">
                <div className="flex flex-col">
                  <Link
                    href={`/jobs/${row.id}`}
                    className="truncate font-medium text-zinc-900 hover:text-indigo-600 hover:underline dark:text-zinc-100 dark:hover:text-indigo-400"
                    title={row.name ?? undefined}
                  >
                    {jobDisplayName(row)}
                  </Link>
                  {row.name && (
                    <span className="text-xs text-zinc-400 tabular-nums">#{row.id}</span>
                  )}
                </div>
              </Td>
              <Td>
                <TaskName name={row.task} />
              </Td>
              <Td className="whitespace-nowrap text-zinc-600 dark:text-zinc-300">{row.queue}</Td>
              <Td className="whitespace-nowrap text-zinc-600 tabular-nums dark:text-zinc-300">
                <Time ms={row.startedAt} />
              </Td>
              <Td className="whitespace-nowrap text-zinc-600 tabular-nums dark:text-zinc-300">
                <Time ms={row.stoppedAt} />
              </Td>
              <Td className="text-right whitespace-nowrap tabular-nums">
                {formatDuration(row.durationMs)}
              </Td>
              <Td className="text-right tabular-nums">{row.attempts}</Td>
              <Td
                className="max-w-32 truncate text-zinc-600 dark:text-zinc-300"
                title={row.groupName ?? undefined}
              >
                {(row.groupName && visibleText(row.groupName)) ?? (
                  <span className="text-zinc-300 dark:text-zinc-600">—</span>
                )}
              </Td>
              <Td className="max-w-md">
                <div className="flex items-center gap-2">
                  {isFailures && row.retriedAs !== null && (
                    <Link
                      href={`/jobs/${row.retriedAs}`}
                      title="This failure was retried: open the new job"
                    >
                      <Badge tone="violet">Retried as #{row.retriedAs}</Badge>
                    </Link>
                  )}
                  {row.retryOf !== null && (
                    <Link href={`/jobs/${row.retryOf}`} title="Open the failure this job retried">
                      <Badge tone="gray">Retry of #{row.retryOf}</Badge>
                    </Link>
                  )}
                  <span
                    className={clsx(
                      "truncate font-mono text-xs",
                      isFailures
                        ? "text-rose-700 dark:text-rose-300"
                        : "text-zinc-600 dark:text-zinc-400",
                    )}
                    title={firstLine(row.preview, 300)}
                  >
                    {firstLine(row.preview, 140) || <span className="text-zinc-400">null</span>}
                  </span>
                </div>
              </Td>
              {isFailures && canEdit && (
                <Td className="text-right whitespace-nowrap">
                  <div className="flex justify-end gap-1.5">
                    <Button
                      size="sm"
                      variant="secondary"
                      disabled={isBusy || row.retriedAs !== null}
                      onClick={() => onRetry(row.id)}
                      title={
                        row.retriedAs !== null
                          ? "Already retried"
                          : "Run this job again as a new job"
                      }
                    >
                      Retry
                    </Button>
                    <Button
                      size="sm"
                      variant="danger"
                      disabled={isBusy}
                      onClick={() => onDelete(row.id)}
                    >
                      Delete
                    </Button>
                  </div>
                </Td>
              )}
            </tr>
          );
        })}
      </tbody>
    </Table>
  );
}
