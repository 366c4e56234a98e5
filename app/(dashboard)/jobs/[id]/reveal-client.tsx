"use client";
import { useState, useTransition } from "react";
import { toast } from "sonner";
import { Button } from "@/components/ui/button";
import { CodeBlock } from "@/components/ui/code-block";
import { revealJobAction, type RevealResult } from "./actions";

type Revealed = Extract<RevealResult, { ok: true }>["job"];

const HEADING = "text-xs font-medium text-zinc-500 uppercase dark:text-zinc-400";

/**
 * Admins only: "Reveal secrets" fetches the job's unmasked values (the server audits it as
 * `job.reveal`) and shows them below; nothing unmasked is in the page until then.
 */
export function RevealSecrets({ id }: { id: number }) {
  const [job, setJob] = useState<Revealed | null>(null);
  const [isPending, startTransition] = useTransition();
  const reveal = () =>
    startTransition(async () => {
      const result = await revealJobAction(id);
      if (result.ok) setJob(result.job);
      else toast.error(result.message);
    });
  if (!job) {
    return (
      <div className="flex flex-wrap items-center gap-3 text-sm text-zinc-500">
        <span>Secret-looking values are masked for everyone.</span>
        <Button disabled={isPending} onClick={reveal}>
          Reveal secrets
        </Button>
        <span className="text-xs">(recorded in the audit log)</span>
      </div>
    );
  }
  return (
    <div className="flex flex-col gap-3">
      <p className="text-sm text-amber-700 dark:text-amber-300">
        Unmasked values, shown to you only; this reveal is in the audit log.
      </p>
      <h3 className={HEADING}>Arguments</h3>
      <CodeBlock label="Unmasked arguments" value={JSON.stringify(job.args, null, 2)} isJson />
      {job.result !== null && (
        <>
          <h3 className={HEADING}>Result</h3>
          <CodeBlock label="Unmasked result" value={JSON.stringify(job.result, null, 2)} isJson />
        </>
      )}
      {job.error !== null && (
        <>
          <h3 className={HEADING}>Error</h3>
          <CodeBlock label="Unmasked error" value={job.errorStack ?? job.error} tone="error" />
        </>
      )}
      <div>
        <Button onClick={() => setJob(null)}>Hide</Button>
      </div>
    </div>
  );
}
