import { visibleText } from "@/components/ui/format";

/** A task's dotted name in monospace, isolated, with bidi controls shown (see visibleText). */
export function TaskName({ name }: { name: string }) {
  return (
    <bdi className="rounded bg-zinc-100 px-1.5 py-0.5 font-mono text-xs text-zinc-700 dark:bg-zinc-800 dark:text-zinc-300">
      {visibleText(name)}
    </bdi>
  );
}
