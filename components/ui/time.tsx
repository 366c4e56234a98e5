"use client";
import { useEffect, useState } from "react";
import { INVALID_TIME, isShowableTime } from "./format";
import { createLocalStore, useIsClient } from "./local-store";

const modeStore = createLocalStore("jobdeck:time", "absolute", ["absolute", "relative"] as const);

/** How times are shown: absolute (local time with zone) or relative ("3 min ago"). */
export function useTimeMode() {
  return modeStore.use();
}

function pad(n: number) {
  return String(n).padStart(2, "0");
}

/** `2026-11-23 13:05:12` in UTC (what the server renders before the browser knows its zone). */
function formatUtc(ms: number): string {
  const d = new Date(ms);
  return `${d.getUTCFullYear()}-${pad(d.getUTCMonth() + 1)}-${pad(d.getUTCDate())} ${pad(d.getUTCHours())}:${pad(d.getUTCMinutes())}:${pad(d.getUTCSeconds())} UTC`;
}

function formatLocal(ms: number, now: number): string {
  const d = new Date(ms);
  const sameDay = new Date(now).toDateString() === d.toDateString();
  const time = `${pad(d.getHours())}:${pad(d.getMinutes())}:${pad(d.getSeconds())}`;
  if (sameDay) return time;
  const sameYear = new Date(now).getFullYear() === d.getFullYear();
  const date = d.toLocaleDateString("en-US", {
    month: "short",
    day: "numeric",
    ...(sameYear ? {} : { year: "numeric" }),
  });
  return `${date}, ${time}`;
}

/** "3 min ago", "in 2 h", "just now". */
export function formatRelative(ms: number, now: number): string {
  const diff = ms - now;
  const abs = Math.abs(diff);
  if (abs < 5_000) return "just now";
  const units: [number, string][] = [
    [86_400_000, "d"],
    [3_600_000, "h"],
    [60_000, "min"],
    [1000, "s"],
  ];
  const [size, unit] = units.find(([s]) => abs >= s) ?? [1000, "s"];
  const value = Math.floor(abs / size);
  return diff < 0 ? `${value} ${unit} ago` : `in ${value} ${unit}`;
}

/** The browser's timezone, e.g. "Europe/Paris" (UTC on the server). */
export function useTimeZone(): string {
  const isClient = useIsClient();
  return isClient ? Intl.DateTimeFormat().resolvedOptions().timeZone : "UTC";
}

function useNow(tick: boolean): number {
  const [now, setNow] = useState(() => Date.now());
  useEffect(() => {
    if (!tick) return;
    const timer = setInterval(() => setNow(Date.now()), 5000);
    return () => clearInterval(timer);
  }, [tick]);
  return now;
}

/** A timestamp in the chosen mode; hovering shows the exact time with its timezone. */
export function Time({ ms, className }: { ms: number | null | undefined; className?: string }) {
  const mode = useTimeMode();
  const isClient = useIsClient();
  const now = useNow(mode === "relative");
  if (ms === null || ms === undefined) return <span className="text-zinc-400">—</span>;
  if (!isShowableTime(ms)) {
    return (
      <span
        title={`The stored time ${String(ms)} is out of range`}
        className="text-red-700 dark:text-red-400"
      >
        {INVALID_TIME}
      </span>
    );
  }
  const iso = new Date(ms).toISOString();
  if (!isClient) {
    return (
      <time dateTime={iso} className={className}>
        {formatUtc(ms)}
      </time>
    );
  }
  const zone = Intl.DateTimeFormat().resolvedOptions().timeZone;
  const exact = `${new Date(ms).toLocaleString("en-US", { dateStyle: "medium", timeStyle: "medium" })} (${zone}) · ${formatRelative(ms, now)}`;
  return (
    <time dateTime={iso} title={exact} className={className}>
      {mode === "relative" ? formatRelative(ms, now) : formatLocal(ms, now)}
    </time>
  );
}

/** The header toggle between absolute and relative times; shows the timezone used. */
export function TimeModeToggle() {
  const mode = useTimeMode();
  const zone = useTimeZone();
  return (
    <button
      type="button"
      onClick={() => modeStore.set(mode === "absolute" ? "relative" : "absolute")}
      title={`Times are shown in ${zone}. Click to show ${mode === "absolute" ? "relative" : "absolute"} times.`}
      className="inline-flex h-8 items-center gap-1.5 rounded-full border border-zinc-200 bg-white px-3 text-xs font-medium text-zinc-700 shadow-sm hover:bg-zinc-50 dark:border-zinc-700 dark:bg-zinc-900 dark:text-zinc-200 dark:hover:bg-zinc-800"
    >
      <svg
        viewBox="0 0 20 20"
        fill="currentColor"
        className="size-3.5 text-zinc-400"
        aria-hidden="true"
      >
        <path
          fillRule="evenodd"
          d="M10 18a8 8 0 1 0 0-16 8 8 0 0 0 0 16Zm.75-13a.75.75 0 0 0-1.5 0v5c0 .2.08.39.22.53l3 3a.75.75 0 1 0 1.06-1.06l-2.78-2.78V5Z"
          clipRule="evenodd"
        />
      </svg>
      {mode === "absolute" ? zone : "Relative"}
    </button>
  );
}
