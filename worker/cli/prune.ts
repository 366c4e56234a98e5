/** `jobdeck prune`: apply the retention settings now. */
import { getStore } from "@/db/store";
import { retentionFromEnv } from "@/db/store/maintenance";
import { parseCliArgs, type Command } from "./common";

/** The prune command. */
export const pruneCommand: Command = {
  summary: "delete old successes by the save limit (and failures by age, if configured)",
  help: `Usage: npm run jobdeck -- prune

Applies the retention settings now (workers also do it every minute):
  JOBDECK_SAVE_LIMIT   keep the newest N successes (default 100000; 0 = unlimited, -1 = none)
  JOBDECK_SAVE_DAYS    also delete successes older than N days (default 0 = no age limit)
  JOBDECK_FAILURE_DAYS delete failures older than N days (default 0 = keep until deleted)`,
  async run(argv) {
    parseCliArgs(argv, {}, false);
    const r = await getStore().upkeep.pruneResults(retentionFromEnv());
    console.log(`pruned ${r.successes} successes and ${r.failures} failures`);
    return 0;
  },
};
