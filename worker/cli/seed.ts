/** `jobdeck seed`: fill a database with many rows, to try the dashboard at scale. */
import { NUMBER_RANGES } from "@/db/limits";
import { getStore } from "@/db/store";
import { numberOption, parseCliArgs, type Command } from "./common";

/** The seed command. */
export const seedCommand: Command = {
  summary: "add many generated successes, failures and queued jobs (try Jobdeck at scale)",
  help: `Usage: npm run jobdeck -- seed [--successes N] [--failures N] [--queued N]

Adds generated rows directly in SQLite (a million successes take seconds):
  --successes N  recorded successes over the recent past (default 1000000)
  --failures N   recorded failures (default 100000)
  --queued N     queued demo.sleep jobs, due in an hour (default 10000)
Use a throwaway DATABASE_URL: the rows are made up.`,
  async run(argv) {
    const { values } = parseCliArgs(
      argv,
      { successes: { type: "string" }, failures: { type: "string" }, queued: { type: "string" } },
      false,
    );
    const counts = {
      successes: numberOption(values.successes, "successes", NUMBER_RANGES.seedRows) ?? 1_000_000,
      failures: numberOption(values.failures, "failures", NUMBER_RANGES.seedRows) ?? 100_000,
      queued: numberOption(values.queued, "queued", NUMBER_RANGES.seedRows) ?? 10_000,
    };
    const started = Date.now();
    await getStore().maintenance.seedRows(counts);
    console.log(
      `seeded ${counts.successes} successes, ${counts.failures} failures, ${counts.queued} queued jobs in ${((Date.now() - started) / 1000).toFixed(1)} s`,
    );
    return 0;
  },
};
