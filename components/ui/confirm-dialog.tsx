"use client";
import { useEffect, useId, useRef, type ReactNode } from "react";
import { Button } from "./button";

/** A modal confirmation (native <dialog>: focus trap and Escape for free). */
export function ConfirmDialog({
  isOpen,
  title,
  children,
  confirmLabel,
  tone = "primary",
  isBusy = false,
  isConfirmDisabled = false,
  onConfirm,
  onClose,
}: {
  isOpen: boolean;
  title: string;
  children?: ReactNode;
  confirmLabel: string;
  tone?: "primary" | "danger";
  isBusy?: boolean;
  isConfirmDisabled?: boolean;
  onConfirm: () => void;
  onClose: () => void;
}) {
  const ref = useRef<HTMLDialogElement>(null);
  const titleId = useId();
  useEffect(() => {
    const dialog = ref.current;
    if (!dialog) return;
    if (isOpen && !dialog.open) dialog.showModal();
    if (!isOpen && dialog.open) dialog.close();
  }, [isOpen]);
  return (
    <dialog
      ref={ref}
      aria-labelledby={titleId}
      onClose={onClose}
      onCancel={onClose}
      className="m-auto w-full max-w-md rounded-xl border border-zinc-200 bg-white p-0 text-zinc-900 shadow-xl backdrop:bg-zinc-950/40 backdrop:backdrop-blur-[1px] dark:border-zinc-700 dark:bg-zinc-900 dark:text-zinc-100"
    >
      {isOpen && (
        <div className="p-5">
          <h2 id={titleId} className="text-base font-semibold">
            {title}
          </h2>
          <div className="mt-2 text-sm text-zinc-600 dark:text-zinc-300">{children}</div>
          <div className="mt-5 flex justify-end gap-2">
            <Button onClick={onClose}>Cancel</Button>
            <Button
              variant={tone === "danger" ? "danger" : "primary"}
              className={
                tone === "danger"
                  ? "!bg-rose-600 !text-white hover:!bg-rose-500 !border-rose-600"
                  : ""
              }
              disabled={isBusy || isConfirmDisabled}
              onClick={onConfirm}
              autoFocus
            >
              {isBusy ? "Working…" : confirmLabel}
            </Button>
          </div>
        </div>
      )}
    </dialog>
  );
}
