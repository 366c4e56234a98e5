"use client";
import clsx from "clsx";
import Link from "next/link";
import { usePathname } from "next/navigation";

const LINKS = [
  { href: "/", label: "Overview" },
  { href: "/successes", label: "Successes" },
  { href: "/failures", label: "Failures" },
  { href: "/queue", label: "Queue" },
  { href: "/schedules", label: "Schedules" },
  { href: "/audit", label: "Audit" },
] as const;

/** The dashboard's main navigation (a column in the phone menu, a row from xl on); the current section is highlighted. */
export function NavLinks() {
  const pathname = usePathname();
  return (
    <nav
      aria-label="Main"
      className="flex flex-col xl:-mb-px xl:flex-row xl:gap-1 xl:overflow-x-auto"
    >
      {LINKS.map((link) => {
        const isActive = link.href === "/" ? pathname === "/" : pathname.startsWith(link.href);
        return (
          <Link
            key={link.href}
            href={link.href}
            aria-current={isActive ? "page" : undefined}
            className={clsx(
              "border-l-2 px-3 py-2 text-sm font-medium whitespace-nowrap transition-colors xl:border-b-2 xl:border-l-0 xl:py-3",
              isActive
                ? "border-indigo-500 text-zinc-900 dark:text-white"
                : "border-transparent text-zinc-500 hover:border-zinc-300 hover:text-zinc-800 dark:text-zinc-400 dark:hover:border-zinc-600 dark:hover:text-zinc-200",
            )}
          >
            {link.label}
          </Link>
        );
      })}
    </nav>
  );
}
