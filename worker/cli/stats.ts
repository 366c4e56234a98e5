/** `jobdeck stats [--json]`: queue numbers from the maintained counters. */
import { getDb } from "@/db/client";
import { getQueueStats } from "@/db/queries/stats";
import { parseCliArgs, type Command } from "./common";

/** The stats command. */
export const statsCommand: Command = {
  summary: "print queued, running, success, failure, schedules (--json for one object)",
  help: `Usage: npm run jobdeck -- stats [--json]

Prints the queue's numbers: queued (of which scheduled for later), running, success, failure,
schedules and live workers. --json prints one JSON object with those keys.`,
  run(argv) {
    const { values } = parseCliArgs(argv, { json: { type: "boolean" } }, false);
    const stats = getQueueStats(getDb());
    if (values.json) {
      console.log(JSON.stringify(stats));
      return 0;
    }
    const width = Math.max(...Object.keys(stats).map((k) => k.length));
    for (const [key, value] of Object.entries(stats)) console.log(`${key.padEnd(width)}  ${value}`);
    return 0;
  },
};
