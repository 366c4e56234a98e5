/** Formatting of durations, sizes and job names shared by server and client components. */

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

/** A job's display name: its name, or `#<id>` when it has none. */
export function jobDisplayName(job: { id: number; name: string | null }): string {
  return job.name && job.name.trim() !== "" ? job.name : `#${job.id}`;
}

/** The first line of a text, cut to `max` characters with an ellipsis. */
export function firstLine(text: string | null | undefined, max = 160): string {
  if (!text) return "";
  const line = text.split("\n", 1)[0] ?? "";
  return line.length > max ? `${line.slice(0, max)}…` : line;
}

/** A number with thousands separators (en-US, so server and browser agree). */
export function formatCount(n: number): string {
  return n.toLocaleString("en-US");
}
