/** `jobdeck migrate`: apply pending migrations (every process also does it at start). */
import { openDb, resolveDatabasePath } from "@/db/client";
import { migrateDatabase } from "@/db/migrate";
import { parseCliArgs, type Command } from "./common";

/** The migrate command. */
export const migrateCommand: Command = {
  summary: "create or upgrade the database (also done at every start)",
  help: `Usage: npm run jobdeck -- migrate

Applies pending migrations from db/migrations to DATABASE_URL (default data/jobdeck.db).`,
  run(argv) {
    parseCliArgs(argv, {}, false);
    const db = openDb({ migrate: false });
    const applied = migrateDatabase(db.$client);
    db.$client.close();
    console.log(
      `${resolveDatabasePath()}: ${applied} migration${applied === 1 ? "" : "s"} applied`,
    );
    return 0;
  },
};
