"use client";
import { useState } from "react";
import {
  deleteScheduleAction,
  runScheduleNowAction,
  setScheduleEnabledAction,
} from "@/app/(dashboard)/schedules/actions";
import { useActionRunner } from "@/components/ui/action-runner";
import { Button, ButtonLink } from "@/components/ui/button";
import { ConfirmDialog } from "@/components/ui/confirm-dialog";

/** The Enabled switch of a schedule row. */
export function EnabledSwitch({
  id,
  name,
  isEnabled,
  canEdit,
}: {
  id: number;
  name: string;
  isEnabled: boolean;
  canEdit: boolean;
}) {
  const { run, isPending } = useActionRunner();
  return (
    <button
      type="button"
      role="switch"
      aria-checked={isEnabled}
      aria-label={`Enabled: ${name}`}
      disabled={!canEdit || isPending}
      onClick={() => run(() => setScheduleEnabledAction(id, !isEnabled))}
      className={
        "relative inline-flex h-5 w-9 shrink-0 items-center rounded-full transition-colors focus-visible:outline-2 focus-visible:outline-offset-2 focus-visible:outline-indigo-500 disabled:opacity-60 " +
        (isEnabled ? "bg-emerald-500" : "bg-zinc-300 dark:bg-zinc-600")
      }
    >
      <span
        className={
          "inline-block size-4 rounded-full bg-white shadow transition-transform " +
          (isEnabled ? "translate-x-4.5" : "translate-x-0.5")
        }
      />
    </button>
  );
}

/** Run now, Edit and Delete (with confirmation) for one schedule. */
export function ScheduleRowActions({
  id,
  name,
  afterDelete,
}: {
  id: number;
  name: string;
  afterDelete?: string;
}) {
  const isOnEditPage = afterDelete !== undefined;
  const { run, isPending, router } = useActionRunner();
  const [isConfirming, setConfirming] = useState(false);
  return (
    <div className="flex justify-end gap-1.5">
      <Button size="sm" disabled={isPending} onClick={() => run(() => runScheduleNowAction(id))}>
        Run now
      </Button>
      {!isOnEditPage && (
        <ButtonLink size="sm" href={`/schedules/${id}`}>
          Edit
        </ButtonLink>
      )}
      <Button size="sm" variant="danger" disabled={isPending} onClick={() => setConfirming(true)}>
        Delete
      </Button>
      <ConfirmDialog
        isOpen={isConfirming}
        title={`Delete schedule “${name}”?`}
        confirmLabel="Delete"
        tone="danger"
        onClose={() => setConfirming(false)}
        onConfirm={() => {
          setConfirming(false);
          run(
            () => deleteScheduleAction(id),
            (result) => (result.ok && afterDelete ? router.push(afterDelete) : router.refresh()),
          );
        }}
      >
        <p>It stops creating jobs. Jobs it already created stay.</p>
      </ConfirmDialog>
    </div>
  );
}
