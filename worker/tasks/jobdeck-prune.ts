import { defineTask } from "./define";

/** jobdeck.prune: prunes old successes by the save limit (JOBDECK_SAVE_LIMIT / JOBDECK_SAVE_DAYS). */
export default defineTask({
  name: "jobdeck.prune",
  description: "Prunes old successes by the save limit",
  exampleArgs: {},
  async run() {
    // Loaded on first use: executor threads that never prune never load the store.
    const { getUpkeepStore, retentionFromEnv } = await import("@/db/store/upkeep");
    return getUpkeepStore().pruneResults(retentionFromEnv());
  },
});
