/** The skeleton a list page shows while it loads (its route's loading.tsx). */
export function PageSkeleton() {
  return (
    <div className="animate-pulse" aria-busy="true" aria-label="Loading">
      <div className="mb-6 h-8 w-48 rounded bg-zinc-200 dark:bg-zinc-800" />
      <div className="rounded-xl border border-zinc-200 bg-white p-4 dark:border-zinc-800 dark:bg-zinc-900">
        {Array.from({ length: 8 }, (_, i) => (
          <div key={i} className="mb-3 h-6 rounded bg-zinc-100 last:mb-0 dark:bg-zinc-800" />
        ))}
      </div>
    </div>
  );
}
