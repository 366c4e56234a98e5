/** `jobdeck stats [--json]`: queue numbers from the maintained counters. */
import { getStore } from "@/db/store";
import { parseCliArgs, type Command } from "./common";

/** The stats command. */
export const statsCommand: Command = {
  summary: "print queued, running, success, failure, schedules (--json for one object)",
  help: `Usage: npm run jobdeck -- stats [--json]

Prints the queue's numbers: queued (of which scheduled for later), running, success, failure,
schedules and live workers. --json prints one JSON object with those keys.`,
  async run(argv) {
    const { values } = parseCliArgs(argv, { json: { type: "boolean" } }, false);
    const stats = await getStore().reads.getQueueStats();
    if (values.json) {
      console.log(JSON.stringify(stats));
      return 0;
    }
    const width = Math.max(...Object.keys(stats).map((k) => k.length));
    for (const [key, value] of Object.entries(stats)) console.log(`${key.padEnd(width)}  ${value}`);
    return 0;
  },
};
