"use client";
import clsx from "clsx";
import { usePathname } from "next/navigation";
import { useState, type ReactNode } from "react";

/**
 * The header's menu: below the xl breakpoint (1280 px) a "Menu" button shows or hides the navigation,
 * toggles and user (so nothing is clipped on a phone); from xl on they sit in the header row.
 * Going to another page closes it.
 */
export function NavMenu({ children }: { children: ReactNode }) {
  const pathname = usePathname();
  // Open only on the page where it was opened: navigating closes it without an effect.
  const [openOn, setOpenOn] = useState<string | null>(null);
  const isOpen = openOn === pathname;
  return (
    <>
      <button
        type="button"
        aria-expanded={isOpen}
        aria-controls="jobdeck-menu"
        onClick={() => setOpenOn(isOpen ? null : pathname)}
        onKeyDown={(event) => event.key === "Escape" && setOpenOn(null)}
        className="ml-auto inline-flex h-8 items-center gap-1.5 rounded-full border border-zinc-200 bg-white px-3 text-xs font-medium text-zinc-700 shadow-sm hover:bg-zinc-50 xl:hidden dark:border-zinc-700 dark:bg-zinc-900 dark:text-zinc-200 dark:hover:bg-zinc-800"
      >
        <svg viewBox="0 0 20 20" fill="currentColor" className="size-4" aria-hidden="true">
          {isOpen ? (
            <path d="M6.28 5.22a.75.75 0 0 0-1.06 1.06L8.94 10l-3.72 3.72a.75.75 0 1 0 1.06 1.06L10 11.06l3.72 3.72a.75.75 0 1 0 1.06-1.06L11.06 10l3.72-3.72a.75.75 0 0 0-1.06-1.06L10 8.94 6.28 5.22Z" />
          ) : (
            <path
              fillRule="evenodd"
              d="M2 4.75A.75.75 0 0 1 2.75 4h14.5a.75.75 0 0 1 0 1.5H2.75A.75.75 0 0 1 2 4.75ZM2 10a.75.75 0 0 1 .75-.75h14.5a.75.75 0 0 1 0 1.5H2.75A.75.75 0 0 1 2 10Zm0 5.25a.75.75 0 0 1 .75-.75h14.5a.75.75 0 0 1 0 1.5H2.75a.75.75 0 0 1-.75-.75Z"
              clipRule="evenodd"
            />
          )}
        </svg>
        Menu
      </button>
      <div
        id="jobdeck-menu"
        className={clsx(
          "w-full flex-col gap-3 pb-3 xl:flex xl:w-auto xl:min-w-0 xl:flex-1 xl:flex-row xl:items-center xl:gap-6 xl:pb-0",
          isOpen ? "flex" : "hidden",
        )}
      >
        {children}
      </div>
    </>
  );
}
