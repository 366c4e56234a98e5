"use client";
import { toast } from "sonner";
import { useShowAll } from "./expandable-text";

function pretty(raw: string, isJson: boolean): string {
  if (!isJson) return raw;
  try {
    return JSON.stringify(JSON.parse(raw), null, 2);
  } catch {
    return raw;
  }
}

/**
 * A block of untrusted text (JSON pretty-printed, or a stack trace) rendered as text, with Copy and,
 * past `max` characters, a "Show all" toggle.
 */
export function CodeBlock({
  value,
  isJson = false,
  max = 4000,
  label,
  tone = "default",
}: {
  value: string;
  isJson?: boolean;
  max?: number;
  label: string;
  tone?: "default" | "error";
}) {
  const text = pretty(value, isJson);
  const { shown, toggle } = useShowAll(text, max);
  const copy = async () => {
    try {
      await navigator.clipboard.writeText(text);
      toast.success(`${label} copied`);
    } catch {
      toast.error("Copying needs clipboard permission");
    }
  };
  return (
    <div className="group relative">
      <pre
        aria-label={label}
        className={
          "max-h-[32rem] overflow-auto rounded-lg border p-3 font-mono text-xs leading-relaxed break-words whitespace-pre-wrap " +
          (tone === "error"
            ? "border-rose-200 bg-rose-50/60 text-rose-900 dark:border-rose-900/60 dark:bg-rose-950/30 dark:text-rose-200"
            : "border-zinc-200 bg-zinc-50 text-zinc-800 dark:border-zinc-800 dark:bg-zinc-950 dark:text-zinc-200")
        }
      >
        {shown}
      </pre>
      <div className="absolute top-2 right-2 flex gap-1">
        <button
          type="button"
          onClick={copy}
          className="rounded-md border border-zinc-200 bg-white/90 px-2 py-0.5 text-xs font-medium text-zinc-600 shadow-sm hover:text-zinc-900 dark:border-zinc-700 dark:bg-zinc-900/90 dark:text-zinc-300"
        >
          Copy
        </button>
      </div>
      {toggle}
    </div>
  );
}
