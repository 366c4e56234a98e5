"use client";
import clsx from "clsx";
import { useIsFetching } from "@tanstack/react-query";
import { createLocalStore } from "./local-store";

const liveStore = createLocalStore("jobdeck:live", "on", ["on", "off"] as const);

/** Seconds between refreshes of live lists (TanStack Query's refetchInterval). */
export const LIVE_INTERVAL_MS = 3000;

/** Whether live refresh is paused (stored per browser). */
export function useIsLivePaused(): boolean {
  return liveStore.use() === "off";
}

/** The refetchInterval for live queries: every few seconds, or never while paused. */
export function useLiveInterval(): number | false {
  return useIsLivePaused() ? false : LIVE_INTERVAL_MS;
}

/** The header's live indicator: a pulsing dot while refreshing; click to pause or resume. */
export function LiveToggle() {
  const isPaused = useIsLivePaused();
  const fetching = useIsFetching() > 0;
  return (
    <button
      type="button"
      onClick={() => liveStore.set(isPaused ? "on" : "off")}
      aria-pressed={!isPaused}
      title={
        isPaused
          ? "Live refresh is paused: click to resume"
          : "Lists refresh every few seconds: click to pause"
      }
      className="inline-flex h-8 items-center gap-2 rounded-full border border-zinc-200 bg-white px-3 text-xs font-medium text-zinc-700 shadow-sm hover:bg-zinc-50 dark:border-zinc-700 dark:bg-zinc-900 dark:text-zinc-200 dark:hover:bg-zinc-800"
    >
      <span className="relative flex size-2">
        {!isPaused && (
          <span
            className={clsx(
              "absolute inline-flex size-full rounded-full bg-emerald-400 opacity-75",
              fetching ? "animate-ping" : "",
            )}
          />
        )}
        <span
          className={clsx(
            "relative inline-flex size-2 rounded-full",
            isPaused ? "bg-zinc-400" : "bg-emerald-500",
          )}
        />
      </span>
      {isPaused ? "Paused" : "Live"}
    </button>
  );
}
