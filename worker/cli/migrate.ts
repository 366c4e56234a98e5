/** `jobdeck migrate`: apply pending migrations (every process also does it at start). */
import { openStore } from "@/db/store";
import { parseCliArgs, type Command } from "./common";

/** The migrate command. */
export const migrateCommand: Command = {
  summary: "create or upgrade the database (also done at every start)",
  help: `Usage: npm run jobdeck -- migrate

Applies pending migrations from db/migrations to DATABASE_URL (default data/jobdeck.db).`,
  async run(argv) {
    parseCliArgs(argv, {}, false);
    const store = await openStore({ migrate: false });
    const applied = await store.migrate();
    await store.close();
    console.log(`${store.location}: ${applied} migration${applied === 1 ? "" : "s"} applied`);
    return 0;
  },
};
