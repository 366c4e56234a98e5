import type { Metadata } from "next";
import { ButtonLink } from "@/components/ui/button";

export const metadata: Metadata = { title: "Not found" };

/**
 * An address no route matches (answered 404). It renders per request like every page (the root
 * layout reads the theme cookie), so its scripts carry the CSP nonce. Signed-out visitors never
 * see it: proxy.ts sends them to /login first.
 */
export default function NotFound() {
  return (
    <main className="mx-auto flex min-h-screen max-w-lg flex-col justify-center px-4">
      <div className="rounded-xl border border-zinc-200 bg-white p-6 text-center shadow-sm dark:border-zinc-800 dark:bg-zinc-900">
        <p className="text-sm font-semibold text-indigo-600 dark:text-indigo-400">404 · Jobdeck</p>
        <h1 className="mt-2 text-lg font-semibold">Page not found</h1>
        <p className="mt-2 text-sm text-zinc-500 dark:text-zinc-400">
          No page lives at this address. Check the link, or start again from the Overview.
        </p>
        <ButtonLink href="/" variant="primary" className="mt-4">
          Back to the Overview
        </ButtonLink>
      </div>
    </main>
  );
}
