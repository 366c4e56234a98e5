import { getDb } from "@/db/client";
import { pruneResults, retentionFromEnv } from "@/db/queries/upkeep";
import { defineTask } from "./define";

/** jobdeck.prune: prunes old successes by the save limit (JOBDECK_SAVE_LIMIT / JOBDECK_SAVE_DAYS). */
export default defineTask({
  name: "jobdeck.prune",
  description: "Prunes old successes by the save limit",
  exampleArgs: {},
  run: () => pruneResults(getDb(), retentionFromEnv()),
});
