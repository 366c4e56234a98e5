/** `jobdeck retry-failed [--task T]`: retry every failure not yet retried. */
import { getDb } from "@/db/client";
import { recordAudit } from "@/db/queries/audit";
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
    let retried = 0;
    for (let i = 0; i < ids.length; i += 1000) {
      retried += retryFailedJobs(db, ids.slice(i, i + 1000)).retried.length;
    }
    recordAudit(db, {
      actor: `cli:${process.env.USER ?? "unknown"}`,
      action: "failures.retry",
      target: values.task ? `task:${values.task}` : "all",
      after: { retried },
    });
    console.log(`retried ${retried} failed job${retried === 1 ? "" : "s"}`);
    return 0;
  },
};
