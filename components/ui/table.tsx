import clsx from "clsx";
import type { ComponentProps } from "react";

/** A table inside a horizontally scrollable frame. */
export function Table({ className, ...props }: ComponentProps<"table">) {
  return (
    <div className="overflow-x-auto">
      <table className={clsx("w-full border-collapse text-left text-sm", className)} {...props} />
    </div>
  );
}

/** Header cell. */
export function Th({ className, ...props }: ComponentProps<"th">) {
  return (
    <th
      scope="col"
      className={clsx(
        "border-b border-zinc-200 bg-zinc-50/80 px-3 py-2 text-xs font-semibold tracking-wide whitespace-nowrap text-zinc-500 uppercase dark:border-zinc-800 dark:bg-zinc-900/60 dark:text-zinc-400",
        className,
      )}
      {...props}
    />
  );
}

/** Body cell. */
export function Td({ className, ...props }: ComponentProps<"td">) {
  return (
    <td
      className={clsx(
        "border-b border-zinc-100 px-3 py-2 align-middle dark:border-zinc-800/70",
        className,
      )}
      {...props}
    />
  );
}

/** Body row with hover highlight. */
export function Tr({ className, ...props }: ComponentProps<"tr">) {
  return (
    <tr
      className={clsx("transition-colors hover:bg-zinc-50 dark:hover:bg-zinc-800/40", className)}
      {...props}
    />
  );
}
