"use client";
import { useEffect } from "react";
import { Button } from "@/components/ui/button";

/** Errors inside a dashboard page keep the layout and offer a retry. */
export default function DashboardError({
  error,
  reset,
}: {
  error: Error & { digest?: string };
  reset: () => void;
}) {
  useEffect(() => {
    console.error(error);
  }, [error]);
  return (
    <div className="mx-auto mt-16 max-w-lg rounded-xl border border-rose-200 bg-white p-6 text-center shadow-sm dark:border-rose-900 dark:bg-zinc-900">
      <h1 className="text-lg font-semibold">This page could not be loaded</h1>
      <p className="mt-2 text-sm text-zinc-500 dark:text-zinc-400">
        Something went wrong while reading the queue. The database may be busy; try again in a
        moment.
        {error.digest ? (
          <span className="mt-1 block font-mono text-xs">Reference: {error.digest}</span>
        ) : null}
      </p>
      <Button variant="primary" className="mt-4" onClick={reset}>
        Try again
      </Button>
    </div>
  );
}
