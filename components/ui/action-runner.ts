"use client";
import { useRouter } from "next/navigation";
import { useTransition } from "react";
import { toast } from "sonner";
import type { ActionResult } from "@/app/(dashboard)/_lib/action-result";

/**
 * Runs server actions from buttons: each in a transition (`isPending` meanwhile), its message as a
 * toast, then `then(result)` if given, else a refresh of the page.
 */
export function useActionRunner() {
  const router = useRouter();
  const [isPending, startTransition] = useTransition();
  const run = (action: () => Promise<ActionResult>, then?: (result: ActionResult) => void) =>
    startTransition(async () => {
      const result = await action();
      if (result.ok) toast.success(result.message);
      else toast.error(result.message);
      if (then) then(result);
      else router.refresh();
    });
  return { run, isPending, router };
}
