import { Badge, type BadgeTone } from "@/components/ui/badge";

const TONES: Record<string, BadgeTone> = {
  queued: "amber",
  running: "blue",
  success: "green",
  failure: "red",
  deleted: "gray",
};

const LABELS: Record<string, string> = {
  queued: "Queued",
  running: "Running",
  success: "Success",
  failure: "Failure",
  deleted: "Deleted",
};

/** A job's state as a coloured badge (queued, running, success, failure, deleted). */
export function JobStateBadge({ state }: { state: string }) {
  return (
    <Badge tone={TONES[state] ?? "gray"}>
      <span
        className={
          "size-1.5 rounded-full " +
          (state === "running"
            ? "animate-pulse bg-sky-500"
            : state === "success"
              ? "bg-emerald-500"
              : state === "failure"
                ? "bg-rose-500"
                : state === "queued"
                  ? "bg-amber-500"
                  : "bg-zinc-400")
        }
        aria-hidden="true"
      />
      {LABELS[state] ?? state}
    </Badge>
  );
}
