import { Badge, type BadgeTone } from "@/components/ui/badge";
import type { JobStatus } from "@/db/schema";

/** What a badge can say: a job's status, or that its row was deleted (pruned). */
export type BadgeState = JobStatus | "deleted";

/** One look per state, everywhere a job's state is shown (a new state is a compile error here). */
const LOOKS: Record<BadgeState, { tone: BadgeTone; dot: string; label: string }> = {
  queued: { tone: "amber", dot: "bg-amber-500", label: "Queued" },
  running: { tone: "blue", dot: "animate-pulse bg-sky-500", label: "Running" },
  success: { tone: "green", dot: "bg-emerald-500", label: "Success" },
  failure: { tone: "red", dot: "bg-rose-500", label: "Failure" },
  deleted: { tone: "gray", dot: "bg-zinc-400", label: "Deleted" },
};

/** A job's state as a coloured badge (queued, running, success, failure, deleted). */
export function JobStateBadge({ state }: { state: BadgeState }) {
  const look = LOOKS[state];
  return (
    <Badge tone={look.tone}>
      <span className={`size-1.5 rounded-full ${look.dot}`} aria-hidden="true" />
      {look.label}
    </Badge>
  );
}
