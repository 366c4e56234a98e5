import Link from "next/link";
import { cookies } from "next/headers";
import { connection } from "next/server";
import type { ReactNode } from "react";
import { requireUser } from "@/app/_lib/auth";
import { Providers } from "@/app/providers";
import { SignOutButton } from "@/components/auth/sign-out-button";
import { LiveToggle } from "@/components/ui/live";
import { NavLinks } from "@/components/ui/nav-links";
import { NavMenu } from "@/components/ui/nav-menu";
import { parseTheme, THEME_COOKIE } from "@/components/ui/theme";
import { ThemeToggle } from "@/components/ui/theme-toggle";
import { TimeModeToggle } from "@/components/ui/time";

/**
 * The dashboard shell: brand, navigation, live indicator, time and theme toggles, user and
 * sign-out. Below the xl breakpoint (1280 px) everything but the brand folds into the header's menu.
 */
export default async function DashboardLayout({ children }: { children: ReactNode }) {
  await connection();
  const user = await requireUser();
  const theme = parseTheme((await cookies()).get(THEME_COOKIE)?.value);
  return (
    <Providers theme={theme}>
      <header className="sticky top-0 z-20 border-b border-zinc-200 bg-white/90 backdrop-blur dark:border-zinc-800 dark:bg-zinc-900/90">
        <div className="mx-auto flex max-w-screen-2xl flex-wrap items-center gap-x-6 px-4 sm:px-6">
          <Link href="/" className="flex items-center gap-2 py-3 font-semibold tracking-tight">
            <span className="flex size-7 items-center justify-center rounded-lg bg-indigo-600 text-white shadow-sm">
              <svg viewBox="0 0 20 20" fill="currentColor" className="size-4" aria-hidden="true">
                <path d="M3 4.5A1.5 1.5 0 0 1 4.5 3h11A1.5 1.5 0 0 1 17 4.5v1A1.5 1.5 0 0 1 15.5 7h-11A1.5 1.5 0 0 1 3 5.5v-1Zm0 5A1.5 1.5 0 0 1 4.5 8h11A1.5 1.5 0 0 1 17 9.5v1a1.5 1.5 0 0 1-1.5 1.5h-11A1.5 1.5 0 0 1 3 10.5v-1Zm1.5 3.5A1.5 1.5 0 0 0 3 14.5v1A1.5 1.5 0 0 0 4.5 17h6a1.5 1.5 0 0 0 1.5-1.5v-1a1.5 1.5 0 0 0-1.5-1.5h-6Z" />
              </svg>
            </span>
            <span>Jobdeck</span>
          </Link>
          <NavMenu>
            <div className="min-w-0 xl:flex-1">
              <NavLinks />
            </div>
            <div className="flex flex-wrap items-center gap-2 border-t border-zinc-200 px-3 pt-3 xl:border-t-0 xl:p-0 dark:border-zinc-800">
              <LiveToggle />
              <TimeModeToggle />
              <ThemeToggle theme={theme} />
            </div>
            <div className="flex items-center justify-between gap-3 border-t border-zinc-200 px-3 pt-3 text-sm xl:justify-start xl:border-t-0 xl:border-l xl:py-0 xl:pr-0 xl:pl-4 dark:border-zinc-700">
              <span className="flex min-w-0 items-center gap-2 text-zinc-700 dark:text-zinc-200">
                <span className="flex size-7 shrink-0 items-center justify-center rounded-full bg-zinc-200 text-xs font-semibold uppercase dark:bg-zinc-700">
                  {user.username.slice(0, 1)}
                </span>
                <span
                  className="max-w-48 truncate xl:max-w-32"
                  title={`${user.username} (${user.role})`}
                >
                  {user.username}
                </span>
              </span>
              <SignOutButton className="text-sm text-zinc-500 hover:text-zinc-900 dark:text-zinc-400 dark:hover:text-white" />
            </div>
          </NavMenu>
        </div>
      </header>
      <main className="mx-auto max-w-screen-2xl px-4 py-6 sm:px-6">{children}</main>
    </Providers>
  );
}
