/** A thin progress bar for a running job (0..1); indeterminate stripes when unknown. */
export function ProgressBar({ value, label }: { value: number | null; label?: string | null }) {
  const pct = value === null ? null : Math.round(Math.min(1, Math.max(0, value)) * 100);
  return (
    <div className="flex min-w-32 flex-col gap-1">
      <div
        role="progressbar"
        aria-valuemin={0}
        aria-valuemax={100}
        aria-valuenow={pct ?? undefined}
        aria-label={label ?? "Progress"}
        className="h-1.5 w-full overflow-hidden rounded-full bg-zinc-200 dark:bg-zinc-700"
      >
        {pct === null ? (
          <div className="h-full w-1/3 animate-pulse rounded-full bg-sky-400" />
        ) : (
          <div
            className="h-full rounded-full bg-sky-500 transition-all"
            style={{ width: `${pct}%` }}
          />
        )}
      </div>
      <div className="flex justify-between gap-2 text-xs text-zinc-500 dark:text-zinc-400">
        <span className="truncate" title={label ?? undefined}>
          {label ?? (pct === null ? "Running" : "")}
        </span>
        {pct !== null && <span className="tabular-nums">{pct}%</span>}
      </div>
    </div>
  );
}
