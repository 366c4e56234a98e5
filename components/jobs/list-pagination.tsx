"use client";
import clsx from "clsx";
import { ButtonLink } from "@/components/ui/button";
import { formatCount } from "@/components/ui/format";
import { useListUrl } from "./list-url";

/** "1,234" for an exact count, "more than 10,000" past the cap (counted with LIMIT cap + 1). */
export function formatMatching(matching: number, cap: number): string {
  return matching > cap ? `more than ${formatCount(cap)}` : formatCount(matching);
}

/**
 * First / Previous / Next links of a keyset-paginated list: `prev` and `next` are the `before`
 * and `after` cursors of the neighbouring pages (null when there is none).
 */
export function ListPagination({
  prev,
  next,
  count,
  className,
}: {
  prev: string | null;
  next: string | null;
  count: number;
  className?: string;
}) {
  const { hrefWith } = useListUrl();
  if (!prev && !next) {
    return count > 0 ? (
      <div className={clsx("px-4 py-3 text-xs text-zinc-500 dark:text-zinc-400", className)}>
        Showing all {formatCount(count)}
      </div>
    ) : null;
  }
  const link = (label: string, href: string | null) => (
    <ButtonLink
      size="sm"
      href={href ?? "#"}
      scroll={false}
      aria-disabled={href === null}
      tabIndex={href === null ? -1 : undefined}
      className={clsx(href === null && "pointer-events-none opacity-50")}
    >
      {label}
    </ButtonLink>
  );
  return (
    <nav
      aria-label="Pages"
      className={clsx("flex flex-wrap items-center justify-between gap-2 px-4 py-3", className)}
    >
      <span className="text-xs text-zinc-500 dark:text-zinc-400">
        {formatCount(count)} on this page
      </span>
      <div className="flex flex-wrap gap-2">
        {link("« First page", prev ? hrefWith({ after: undefined, before: undefined }) : null)}
        {link("← Previous page", prev ? hrefWith({ before: prev, after: undefined }) : null)}
        {link("Next page →", next ? hrefWith({ after: next, before: undefined }) : null)}
      </div>
    </nav>
  );
}
