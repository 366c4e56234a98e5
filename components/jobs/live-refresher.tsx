"use client";
import { useRouter } from "next/navigation";
import { useEffect } from "react";
import { LIVE_INTERVAL_MS, useIsLivePaused } from "@/components/ui/live";

/** Re-renders the current server page every few seconds while live refresh is on and the tab is visible. */
export function LiveRefresher() {
  const router = useRouter();
  const isPaused = useIsLivePaused();
  useEffect(() => {
    if (isPaused) return;
    const timer = setInterval(() => {
      if (document.visibilityState === "visible") router.refresh();
    }, LIVE_INTERVAL_MS);
    return () => clearInterval(timer);
  }, [isPaused, router]);
  return null;
}
