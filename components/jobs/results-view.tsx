"use client";
import { keepPreviousData, useQuery, useQueryClient } from "@tanstack/react-query";
import clsx from "clsx";
import Link from "next/link";
import { useRouter } from "next/navigation";
import { useState, useTransition } from "react";
import { toast } from "sonner";
import {
  countMatchingAction,
  deleteMatchingAction,
  deleteResultsAction,
  retryFailuresAction,
  retryMatchingAction,
} from "@/app/(dashboard)/failures/actions";
import type { ActionResult } from "@/app/(dashboard)/_lib/action-result";
import type { ResultsPayload } from "@/app/(dashboard)/_lib/data";
import { OVERVIEW_KEY, QUEUE_KEY, RESULTS_KEY, resultsQuery } from "@/app/(dashboard)/_lib/queries";
import type { ResultsSearch } from "@/app/(dashboard)/_lib/search-params";
import { Button } from "@/components/ui/button";
import { ConfirmDialog } from "@/components/ui/confirm-dialog";
import { useLiveInterval } from "@/components/ui/live";
import { formatMatching, ListPagination } from "./list-pagination";
import { isResultsFiltered } from "./list-url";
import { ResultsTable } from "./results-table";
import type { ResultState } from "@/db/schema";

type PendingConfirm =
  | { kind: "delete-ids"; ids: number[] }
  | { kind: "retry-all" | "delete-all"; count: number | null; isCapped: boolean };

/** Successes or Failures: live table, selection, row and bulk actions, pagination. */
export function ResultsView({
  state,
  search,
  searchString,
  initialData,
  canEdit,
  filters,
}: {
  state: ResultState;
  search: ResultsSearch;
  searchString: string;
  initialData: ResultsPayload;
  canEdit: boolean;
  filters: React.ReactNode;
}) {
  const router = useRouter();
  const queryClient = useQueryClient();
  const interval = useLiveInterval();
  const { data, isError } = useQuery({
    ...resultsQuery(state, searchString),
    initialData,
    refetchInterval: interval,
    placeholderData: keepPreviousData,
  });
  const [selected, setSelected] = useState<Set<number>>(() => new Set());
  const [confirm, setConfirm] = useState<PendingConfirm | null>(null);
  const [busyIds, setBusyIds] = useState<Set<number>>(() => new Set());
  const [isPending, startTransition] = useTransition();
  const isFailures = state === "failure";
  const rows = data.rows;
  const visibleSelected = rows.filter((r) => selected.has(r.id)).map((r) => r.id);
  // The filter without the page cursor: what "all matching" acts on.
  const filterString = (() => {
    const params = new URLSearchParams(searchString);
    params.delete("after");
    params.delete("before");
    params.delete("size");
    return params.toString();
  })();

  const afterAction = async (result: ActionResult, clear: number[] = []) => {
    if (result.ok) toast.success(result.message);
    else toast.error(result.message);
    if (clear.length) setSelected((prev) => new Set([...prev].filter((id) => !clear.includes(id))));
    await Promise.all([
      queryClient.invalidateQueries({ queryKey: RESULTS_KEY }),
      queryClient.invalidateQueries({ queryKey: QUEUE_KEY }),
      queryClient.invalidateQueries({ queryKey: OVERVIEW_KEY }),
    ]);
    router.refresh();
  };

  const run = (ids: number[], action: () => Promise<ActionResult>) => {
    setBusyIds((prev) => new Set([...prev, ...ids]));
    startTransition(async () => {
      try {
        await afterAction(await action(), ids);
      } catch {
        toast.error("Something went wrong; nothing was changed. Try again.");
      } finally {
        setBusyIds((prev) => new Set([...prev].filter((id) => !ids.includes(id))));
      }
    });
  };

  const openAllMatching = (kind: "retry-all" | "delete-all") => {
    setConfirm({ kind, count: null, isCapped: false });
    countMatchingAction(kind === "retry-all" ? "retry" : "delete", state, filterString)
      .then((result) => {
        if (!result.ok) {
          toast.error(result.message);
          setConfirm(null);
        } else setConfirm({ kind, count: result.count, isCapped: result.isCapped });
      })
      .catch(() => {
        toast.error("Could not count the matching jobs.");
        setConfirm(null);
      });
  };

  const confirmNow = () => {
    if (!confirm) return;
    const pending = confirm;
    setConfirm(null);
    if (pending.kind === "delete-ids") run(pending.ids, () => deleteResultsAction(pending.ids));
    else if (pending.kind === "retry-all") run([], () => retryMatchingAction(filterString));
    else run([], () => deleteMatchingAction(state, filterString));
  };

  const noun = isFailures ? "failure" : "success";
  const isFiltered = isResultsFiltered(search);
  const nouns = isFailures ? "failures" : "successes";

  return (
    <div className="flex flex-col gap-4">
      {filters}
      <div className="rounded-xl border border-zinc-200 bg-white shadow-sm dark:border-zinc-800 dark:bg-zinc-900">
        <div className="flex min-h-12 flex-wrap items-center justify-between gap-2 border-b border-zinc-200 px-4 py-2 dark:border-zinc-800">
          <p className="text-sm text-zinc-500 dark:text-zinc-400" aria-live="polite">
            {visibleSelected.length > 0 ? (
              <span className="font-medium text-zinc-900 dark:text-zinc-100">
                {visibleSelected.length} selected
              </span>
            ) : (
              <>
                {isFiltered && data.matching !== null && (
                  <>
                    <span className="font-medium text-zinc-900 tabular-nums dark:text-zinc-100">
                      {formatMatching(data.matching, data.matchingCap)}
                    </span>{" "}
                    matching this filter ·{" "}
                  </>
                )}
                <span className="font-medium text-zinc-900 tabular-nums dark:text-zinc-100">
                  {data.total.toLocaleString("en-US")}
                </span>{" "}
                {data.total === 1 ? noun : nouns} in total
              </>
            )}
            {isError && <span className="ml-2 text-rose-600">· refresh failed, retrying</span>}
          </p>
          {canEdit && (
            <div className="flex flex-wrap items-center gap-2">
              {visibleSelected.length > 0 ? (
                <>
                  {isFailures && (
                    <Button
                      size="sm"
                      variant="primary"
                      disabled={isPending}
                      onClick={() =>
                        run(visibleSelected, () => retryFailuresAction(visibleSelected))
                      }
                    >
                      Retry selected
                    </Button>
                  )}
                  <Button
                    size="sm"
                    variant="danger"
                    disabled={isPending}
                    onClick={() => setConfirm({ kind: "delete-ids", ids: visibleSelected })}
                  >
                    Delete selected
                  </Button>
                  <Button size="sm" variant="ghost" onClick={() => setSelected(new Set())}>
                    Clear selection
                  </Button>
                </>
              ) : (
                rows.length > 0 && (
                  <>
                    {isFailures && (
                      <Button
                        size="sm"
                        disabled={isPending}
                        onClick={() => openAllMatching("retry-all")}
                      >
                        Retry all matching…
                      </Button>
                    )}
                    <Button
                      size="sm"
                      variant="danger"
                      disabled={isPending}
                      onClick={() => openAllMatching("delete-all")}
                    >
                      Delete all matching…
                    </Button>
                  </>
                )
              )}
            </div>
          )}
        </div>
        <ResultsTable
          state={state}
          rows={rows}
          search={search}
          canEdit={canEdit}
          selected={selected}
          busyIds={busyIds}
          onSelect={(ids, isOn) =>
            setSelected((prev) => {
              const next = new Set(prev);
              for (const id of ids) {
                if (isOn) next.add(id);
                else next.delete(id);
              }
              return next;
            })
          }
          onRetry={(id) => run([id], () => retryFailuresAction([id]))}
          onDelete={(id) => setConfirm({ kind: "delete-ids", ids: [id] })}
        />
        <ListPagination prev={data.prev} next={data.next} count={rows.length} />
      </div>
      <ConfirmDialog
        isOpen={confirm !== null}
        onClose={() => setConfirm(null)}
        onConfirm={confirmNow}
        isBusy={confirm !== null && confirm.kind !== "delete-ids" && confirm.count === null}
        isConfirmDisabled={confirm !== null && confirm.kind !== "delete-ids" && confirm.count === 0}
        tone={confirm?.kind === "retry-all" ? "primary" : "danger"}
        title={
          confirm?.kind === "delete-ids"
            ? confirm.ids.length === 1
              ? `Delete job #${confirm.ids[0]}?`
              : `Delete ${confirm.ids.length} ${nouns}?`
            : confirm?.kind === "retry-all"
              ? `Retry all matching ${nouns}?`
              : `Delete all matching ${nouns}?`
        }
        confirmLabel={confirm?.kind === "retry-all" ? "Retry" : "Delete"}
      >
        {confirm?.kind === "delete-ids" ? (
          <p>
            The recorded outcome and its attempts are removed for good. The deletion is written to
            the audit log.
          </p>
        ) : confirm?.count === null ? (
          <p>Counting the matching {nouns}…</p>
        ) : confirm ? (
          <p>
            {confirm.kind === "retry-all" ? "This will retry " : "This will delete "}
            <strong className="text-zinc-900 dark:text-white">
              {confirm.count.toLocaleString("en-US")} {confirm.count === 1 ? noun : nouns}
            </strong>
            {confirm.kind === "retry-all" ? " not retried yet" : ""} matching the current filter
            {confirm.isCapped ? " (the newest ones; run it again for the rest)" : ""}.
          </p>
        ) : null}
      </ConfirmDialog>
    </div>
  );
}

/** The link to a job's page (exported for the tables). */
export function JobLink({
  id,
  children,
  className,
}: {
  id: number;
  children: React.ReactNode;
  className?: string;
}) {
  return (
    <Link
      href={`/jobs/${id}`}
      className={clsx(
        "font-medium text-zinc-900 hover:text-indigo-600 hover:underline dark:text-zinc-100 dark:hover:text-indigo-400",
        className,
      )}
    >
      {children}
    </Link>
  );
}
