/** `jobdeck retry-failed [--task T]`: retry every failure not yet retried. */
import { getStore } from "@/db/store";
import { parseCliArgs, type Command } from "./common";

/** The retry-failed command. */
export const retryFailedCommand: Command = {
  summary: "retry every failure not yet retried (--task T: only that task's)",
  help: `Usage: npm run jobdeck -- retry-failed [--task T]

Creates a new job for each failure not yet retried (optionally only of task T). The failure is
kept and linked to its new job ("retried as"); the new job links back ("retry of").
Prints the number of jobs created.`,
  async run(argv) {
    const { values } = parseCliArgs(argv, { task: { type: "string" } }, false);
    // Chunks of 1,000, each with its `failures.retry` entry in the same transaction.
    const retried = await getStore().admin.retryAllFailures(
      values.task ? { task: values.task } : {},
      { name: `cli:${process.env.USER ?? "unknown"}`, address: null },
    );
    console.log(`retried ${retried} failed job${retried === 1 ? "" : "s"}`);
    return 0;
  },
};
