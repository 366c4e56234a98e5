"use client";
import { useState } from "react";
import { deleteResultsAction, retryFailuresAction } from "@/app/(dashboard)/failures/actions";
import { cancelQueuedAction, requestCancelAction } from "@/app/(dashboard)/queue/actions";
import { useActionRunner } from "@/components/ui/action-runner";
import { Button } from "@/components/ui/button";
import { ConfirmDialog } from "@/components/ui/confirm-dialog";
import type { JobStatus } from "@/db/schema";

/** The job page's buttons: Retry/Delete for finished jobs, Cancel for live ones. */
export function JobActions({
  id,
  state,
  isRetried,
  isCancelRequested,
}: {
  id: number;
  state: JobStatus;
  isRetried: boolean;
  isCancelRequested: boolean;
}) {
  const { run, isPending, router } = useActionRunner();
  const [confirm, setConfirm] = useState<"delete" | "cancel" | null>(null);
  return (
    <div className="flex gap-2">
      {state === "failure" && (
        <Button
          variant="primary"
          disabled={isPending || isRetried}
          onClick={() => run(() => retryFailuresAction([id]))}
          title={isRetried ? "Already retried" : undefined}
        >
          Retry
        </Button>
      )}
      {(state === "failure" || state === "success") && (
        <Button variant="danger" disabled={isPending} onClick={() => setConfirm("delete")}>
          Delete
        </Button>
      )}
      {state === "queued" && (
        <Button variant="danger" disabled={isPending} onClick={() => setConfirm("cancel")}>
          Cancel
        </Button>
      )}
      {state === "running" && (
        <Button
          variant="danger"
          disabled={isPending || isCancelRequested}
          onClick={() => run(() => requestCancelAction(id))}
        >
          {isCancelRequested ? "Cancelling…" : "Request cancel"}
        </Button>
      )}
      <ConfirmDialog
        isOpen={confirm !== null}
        title={confirm === "delete" ? `Delete job #${id}?` : `Cancel job #${id}?`}
        confirmLabel={confirm === "delete" ? "Delete" : "Cancel job"}
        tone="danger"
        onClose={() => setConfirm(null)}
        onConfirm={() => {
          const kind = confirm;
          setConfirm(null);
          if (kind === "delete")
            run(
              () => deleteResultsAction([id]),
              (r) =>
                r.ok
                  ? router.push(state === "failure" ? "/failures" : "/successes")
                  : router.refresh(),
            );
          if (kind === "cancel") run(() => cancelQueuedAction(id));
        }}
      >
        {confirm === "delete" ? (
          <p>The recorded outcome and its attempts are removed for good.</p>
        ) : (
          <p>It will not run; it is recorded as a cancelled failure you can retry.</p>
        )}
      </ConfirmDialog>
    </div>
  );
}
