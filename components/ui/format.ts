/** Formatting of durations, sizes, times and job names shared by server and client components. */

/** What a stored time that no date can show reads as (a row written by hand or an old release). */
export const INVALID_TIME = "invalid date";

/**
 * Whether a stored epoch-ms time can be shown: a finite number inside a Date's range. Rows
 * written before the bounds (or by hand) may hold anything, and `toISOString` throws on those.
 */
export function isShowableTime(ms: unknown): ms is number {
  return typeof ms === "number" && !Number.isNaN(new Date(ms).getTime());
}

/** The time as ISO 8601, or INVALID_TIME when it cannot be shown (never throws). */
export function formatIsoTime(ms: unknown): string {
  return isShowableTime(ms) ? new Date(ms).toISOString() : INVALID_TIME;
}

/** A human-readable duration: `850 ms`, `3.2 s`, `2 min 5 s`, `1 h 3 min`; `—` for null. */
export function formatDuration(ms: number | null | undefined): string {
  if (ms === null || ms === undefined || !Number.isFinite(ms)) return "—";
  if (ms < 1000) return `${Math.max(0, Math.round(ms))} ms`;
  if (ms < 60_000) return `${(ms / 1000).toFixed(ms < 10_000 ? 2 : 1)} s`;
  const totalSeconds = Math.round(ms / 1000);
  if (totalSeconds < 3600) return `${Math.floor(totalSeconds / 60)} min ${totalSeconds % 60} s`;
  const minutes = Math.round(totalSeconds / 60);
  if (minutes < 1440) return `${Math.floor(minutes / 60)} h ${minutes % 60} min`;
  return `${Math.floor(minutes / 1440)} d ${Math.floor((minutes % 1440) / 60)} h`;
}

/**
 * Bidi controls: embeddings and overrides (U+202A-U+202E), isolates (U+2066-U+2069) and marks
 * (U+200E, U+200F, U+061C). Raw, they reorder what follows ("invoice\u202Egnp.exe" shows as
 * "invoiceexe.png").
 */
const BIDI_CONTROLS = /[\u202A-\u202E\u2066-\u2069\u200E\u200F\u061C]/g;

/**
 * User-controlled text made safe to show: every bidi control is written out visibly as
 * `[U+202E]`, so no name, queue or message can reorder itself or the page around it.
 */
export function visibleText(text: string): string {
  return text.replace(
    BIDI_CONTROLS,
    (c) => `[U+${c.charCodeAt(0).toString(16).toUpperCase().padStart(4, "0")}]`,
  );
}

/** A job's display name (bidi controls shown visibly): its name, or `#<id>` when it has none. */
export function jobDisplayName(job: { id: number; name: string | null }): string {
  return job.name && job.name.trim() !== "" ? visibleText(job.name) : `#${job.id}`;
}

/** The first line of a text, cut to `max` characters with an ellipsis; bidi controls visible. */
export function firstLine(text: string | null | undefined, max = 160): string {
  if (!text) return "";
  const line = text.split("\n", 1)[0] ?? "";
  return visibleText(line.length > max ? `${line.slice(0, max)}…` : line);
}

/** A number with thousands separators (en-US, so server and browser agree). */
export function formatCount(n: number): string {
  return n.toLocaleString("en-US");
}
