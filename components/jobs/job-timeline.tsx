import clsx from "clsx";
import type { JobDetailView } from "./job-detail-view";
import { formatDuration } from "@/components/ui/format";
import { Time } from "@/components/ui/time";

type Event = {
  at: number;
  label: string;
  tone: "gray" | "green" | "red" | "blue" | "amber";
  detail?: string;
};

const DOT = {
  gray: "bg-zinc-400",
  green: "bg-emerald-500",
  red: "bg-rose-500",
  blue: "bg-sky-500",
  amber: "bg-amber-500",
};

/** The job's life as a vertical timeline: created, each attempt, finished, retried. */
export function JobTimeline({ job }: { job: JobDetailView }) {
  const events: Event[] = [{ at: job.createdAt, label: "Created", tone: "gray" }];
  for (const a of job.attemptRows) {
    events.push({
      at: a.stoppedAt,
      label: `Attempt ${a.attempt}: ${a.outcome}`,
      tone:
        a.outcome === "success"
          ? "green"
          : a.outcome === "error" || a.outcome === "timeout"
            ? "red"
            : "amber",
      detail: formatDuration(a.durationMs),
    });
  }
  if (job.state === "running" && job.startedAt)
    events.push({ at: job.startedAt, label: `Attempt ${job.attempts} started`, tone: "blue" });
  if (job.stoppedAt !== null) {
    events.push({
      at: job.stoppedAt,
      label: job.state === "success" ? "Recorded as a success" : "Failed for good",
      tone: job.state === "success" ? "green" : "red",
    });
  }
  if (job.retriedAt !== null && job.retriedAs !== null)
    events.push({ at: job.retriedAt, label: `Retried as #${job.retriedAs}`, tone: "blue" });
  events.sort((a, b) => a.at - b.at);
  return (
    <ol className="relative ml-1.5 border-l border-zinc-200 dark:border-zinc-700">
      {events.map((e, i) => (
        <li key={i} className="mb-4 ml-4 last:mb-0">
          <span
            className={clsx(
              "absolute -left-[5px] mt-1.5 size-2.5 rounded-full ring-2 ring-white dark:ring-zinc-900",
              DOT[e.tone],
            )}
          />
          <p className="text-sm font-medium">{e.label}</p>
          <p className="text-xs text-zinc-500">
            <Time ms={e.at} />
            {e.detail ? ` · ${e.detail}` : ""}
          </p>
        </li>
      ))}
    </ol>
  );
}
