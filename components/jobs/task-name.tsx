/** A task's dotted name in monospace. */
export function TaskName({ name }: { name: string }) {
  return (
    <span className="rounded bg-zinc-100 px-1.5 py-0.5 font-mono text-xs text-zinc-700 dark:bg-zinc-800 dark:text-zinc-300">
      {name}
    </span>
  );
}
