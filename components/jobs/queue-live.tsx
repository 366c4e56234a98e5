"use client";
import { keepPreviousData, useQuery, useQueryClient } from "@tanstack/react-query";
import Link from "next/link";
import { useState, useTransition } from "react";
import { toast } from "sonner";
import { cancelQueuedAction, requestCancelAction } from "@/app/(dashboard)/queue/actions";
import type { ActionResult } from "@/app/(dashboard)/_lib/action-result";
import type { QueuePayload, QueueRow } from "@/app/(dashboard)/_lib/data";
import { OVERVIEW_KEY, QUEUE_KEY, RESULTS_KEY, queueQuery } from "@/app/(dashboard)/_lib/queries";
import type { QueueSearch } from "@/app/(dashboard)/_lib/search-params";
import { Badge } from "@/components/ui/badge";
import { Button } from "@/components/ui/button";
import { Card, EmptyState } from "@/components/ui/card";
import { ConfirmDialog } from "@/components/ui/confirm-dialog";
import {
  firstLine,
  formatCount,
  formatDuration,
  formatIsoTime,
  jobDisplayName,
  visibleText,
} from "@/components/ui/format";
import { useLiveInterval } from "@/components/ui/live";
import { ProgressBar } from "@/components/ui/progress-bar";
import { Table, Td, Th, Tr } from "@/components/ui/table";
import { Time } from "@/components/ui/time";
import { formatMatching, ListPagination } from "./list-pagination";
import { TaskName } from "./task-name";

/** The first columns of both tables: what the job is. */
function JobHeaderCells() {
  return (
    <>
      <Th>Name</Th>
      <Th>Task</Th>
      <Th>Queue</Th>
      <Th className="text-right">Priority</Th>
      <Th className="text-right">Attempts</Th>
    </>
  );
}

function JobCells({ row }: { row: QueueRow }) {
  return (
    <>
      <Td>
        <div className="flex flex-col">
          <Link
            href={`/jobs/${row.id}`}
            className="max-w-56 truncate font-medium hover:text-indigo-600 hover:underline dark:hover:text-indigo-400"
          >
            {jobDisplayName(row)}
          </Link>
          {row.name && <span className="text-xs text-zinc-400 tabular-nums">#{row.id}</span>}
        </div>
      </Td>
      <Td>
        <TaskName name={row.task} />
      </Td>
      <Td className="text-zinc-600 dark:text-zinc-300">{visibleText(row.queue)}</Td>
      <Td className="text-right tabular-nums">{row.priority}</Td>
      <Td className="text-right tabular-nums">
        {row.attempts}
        {row.maxAttempts ? `/${row.maxAttempts}` : ""}
      </Td>
    </>
  );
}

/** The Queue: running jobs (progress, lease holder, cancel) and queued jobs in claim order (cancel). */
export function QueueLive({
  search,
  searchString,
  initialData,
  canEdit,
}: {
  search: QueueSearch;
  searchString: string;
  initialData: QueuePayload;
  canEdit: boolean;
}) {
  const interval = useLiveInterval();
  const queryClient = useQueryClient();
  const { data } = useQuery({
    ...queueQuery(searchString),
    initialData,
    refetchInterval: interval,
    placeholderData: keepPreviousData,
  });
  const [confirmId, setConfirmId] = useState<number | null>(null);
  const [isPending, startTransition] = useTransition();

  const run = (action: () => Promise<ActionResult>) =>
    startTransition(async () => {
      const result = await action();
      if (result.ok) toast.success(result.message);
      else toast.error(result.message);
      await Promise.all([
        queryClient.invalidateQueries({ queryKey: QUEUE_KEY }),
        queryClient.invalidateQueries({ queryKey: RESULTS_KEY }),
        queryClient.invalidateQueries({ queryKey: OVERVIEW_KEY }),
      ]);
    });

  return (
    <div className="flex flex-col gap-6">
      <Card
        title={
          <>
            Running{" "}
            <span className="ml-1 font-normal text-zinc-400 tabular-nums">
              {formatCount(data.counts.running)}
            </span>
          </>
        }
        bodyClassName=""
      >
        {data.running.length === 0 ? (
          <EmptyState title="Nothing running">
            Workers pick up queued jobs within a second or two. No worker? Start one with{" "}
            <code className="font-mono text-xs">npm run worker</code>.
          </EmptyState>
        ) : (
          <Table aria-label="Running jobs">
            <thead>
              <tr>
                <JobHeaderCells />
                <Th>Started</Th>
                <Th>Worker</Th>
                <Th className="w-full">Progress</Th>
                {canEdit && <Th className="text-right">Actions</Th>}
              </tr>
            </thead>
            <tbody>
              {data.running.map((row) => (
                <Tr key={row.id}>
                  <JobCells row={row} />
                  <Td className="whitespace-nowrap">
                    <div className="flex flex-col">
                      <Time ms={row.startedAt} />
                      {row.startedAt && (
                        <span className="text-xs text-zinc-400">
                          for {formatDuration(data.now - row.startedAt)}
                        </span>
                      )}
                    </div>
                  </Td>
                  <Td
                    className="max-w-40 truncate font-mono text-xs text-zinc-600 dark:text-zinc-300"
                    title={
                      row.lockedBy
                        ? `${row.lockedBy}, lease until ${row.leaseExpiresAt ? formatIsoTime(row.leaseExpiresAt) : "?"}`
                        : undefined
                    }
                  >
                    {row.lockedBy ?? "—"}
                  </Td>
                  <Td className="min-w-48">
                    <ProgressBar value={row.progress} label={row.progressMessage} />
                  </Td>
                  {canEdit && (
                    <Td className="text-right whitespace-nowrap">
                      {row.cancelRequestedAt ? (
                        <Badge tone="amber">Cancelling…</Badge>
                      ) : (
                        <Button
                          size="sm"
                          variant="danger"
                          disabled={isPending}
                          onClick={() => run(() => requestCancelAction(row.id))}
                        >
                          Request cancel
                        </Button>
                      )}
                    </Td>
                  )}
                </Tr>
              ))}
            </tbody>
          </Table>
        )}
      </Card>

      <Card
        title={
          <>
            Queued{" "}
            <span className="ml-1 font-normal text-zinc-400 tabular-nums">
              {formatCount(data.counts.queued)}
            </span>
            {data.matching !== null && (
              <span className="ml-2 text-xs font-normal text-zinc-500 dark:text-zinc-400">
                <span className="tabular-nums">
                  {formatMatching(data.matching, data.matchingCap)}
                </span>{" "}
                matching this filter
              </span>
            )}
            {data.counts.scheduled > 0 && (
              <span className="ml-2 text-xs font-normal text-zinc-400">
                ({formatCount(data.counts.scheduled)} scheduled later)
              </span>
            )}
          </>
        }
        bodyClassName=""
      >
        {data.queued.length === 0 ? (
          <EmptyState
            title={search.task || search.queue ? "No queued jobs match" : "The queue is empty"}
          >
            Enqueue a job with the form, from your app with{" "}
            <code className="font-mono text-xs">enqueue()</code> (from{" "}
            <code className="font-mono text-xs">@/db</code>), or with{" "}
            <code className="font-mono text-xs">npm run jobdeck -- enqueue demo.echo</code>.
          </EmptyState>
        ) : (
          <Table aria-label="Queued jobs">
            <thead>
              <tr>
                <JobHeaderCells />
                <Th>Run at</Th>
                <Th className="w-full">Arguments</Th>
                {canEdit && <Th className="text-right">Actions</Th>}
              </tr>
            </thead>
            <tbody>
              {data.queued.map((row) => (
                <Tr key={row.id}>
                  <JobCells row={row} />
                  <Td className="whitespace-nowrap">
                    <div className="flex items-center gap-1.5">
                      <Time ms={row.runAt} />
                      {row.runAt > data.now ? (
                        <Badge tone="violet">later</Badge>
                      ) : (
                        <Badge tone="amber">due</Badge>
                      )}
                    </div>
                    {row.lastError && (
                      <p
                        className="max-w-48 truncate text-xs text-rose-600"
                        title={firstLine(row.lastError, 300)}
                      >
                        retrying: {firstLine(row.lastError, 60)}
                      </p>
                    )}
                  </Td>
                  <Td
                    className="max-w-xs truncate font-mono text-xs text-zinc-500 dark:text-zinc-400"
                    title={row.argsPreview}
                  >
                    {row.argsPreview}
                  </Td>
                  {canEdit && (
                    <Td className="text-right">
                      <Button
                        size="sm"
                        variant="danger"
                        disabled={isPending}
                        onClick={() => setConfirmId(row.id)}
                      >
                        Cancel
                      </Button>
                    </Td>
                  )}
                </Tr>
              ))}
            </tbody>
          </Table>
        )}
        <ListPagination
          prev={data.prev}
          next={data.next}
          count={data.queued.length}
          className="border-t border-zinc-200 dark:border-zinc-800"
        />
      </Card>
      <ConfirmDialog
        isOpen={confirmId !== null}
        title={`Cancel job #${confirmId}?`}
        confirmLabel="Cancel job"
        tone="danger"
        onClose={() => setConfirmId(null)}
        onConfirm={() => {
          const id = confirmId;
          setConfirmId(null);
          if (id !== null) run(() => cancelQueuedAction(id));
        }}
      >
        <p>
          It will not run. It is recorded as a failure &ldquo;Cancelled by you&rdquo;, which you can
          retry later.
        </p>
      </ConfirmDialog>
    </div>
  );
}
