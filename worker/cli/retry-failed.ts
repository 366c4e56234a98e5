/** `jobdeck retry-failed [--task T]`: retry every failure not yet retried. */
import { getDb } from "@/db/client";
import { compactIds, recordAudit } from "@/db/queries/audit";
import { retryFailedJobs } from "@/db/lifecycle";
import { listRetryableFailureIds } from "@/db/queries/retry";
import { parseCliArgs, type Command } from "./common";

/** The retry-failed command. */
export const retryFailedCommand: Command = {
  summary: "retry every failure not yet retried (--task T: only that task's)",
  help: `Usage: npm run jobdeck -- retry-failed [--task T]

Creates a new job for each failure not yet retried (optionally only of task T). The failure is
kept and linked to its new job ("retried as"); the new job links back ("retry of").
Prints the number of jobs created.`,
  run(argv) {
    const { values } = parseCliArgs(argv, { task: { type: "string" } }, false);
    const db = getDb();
    const ids = listRetryableFailureIds(db, values.task ? { task: values.task } : {});
    const actor = `cli:${process.env.USER ?? "unknown"}`;
    const target = values.task ? `task:${values.task}` : "all";
    let retried = 0;
    // Chunks of 1,000, each with its audit entry in the same transaction (every id, as compact
    // ranges, as the dashboard's bulk retry records them), so workers are never held up long.
    for (let i = 0; i < ids.length; i += 1000) {
      const chunk = ids.slice(i, i + 1000);
      retried += db.$client
        .transaction(() => {
          const result = retryFailedJobs(db, chunk);
          if (result.retried.length > 0) {
            recordAudit(db, {
              actor,
              action: "failures.retry",
              target,
              after: {
                count: result.retried.length,
                failureIds: compactIds(result.retried.map((r) => r.failureId)),
                jobIds: compactIds(result.retried.map((r) => r.jobId)),
              },
            });
          }
          return result.retried.length;
        })
        .immediate();
    }
    console.log(`retried ${retried} failed job${retried === 1 ? "" : "s"}`);
    return 0;
  },
};
