/** Test helper: a migrated database file whose task catalog knows the test task `test.trace`. */
import { openDb, type Db } from "../client";
import { syncTaskCatalog } from "../queries/tasks";

/**
 * Opens (creating and migrating) the SQLite file at `url` and catalogs `test.trace` (which only
 * workers started with JOBDECK_TEST_TASKS=1 register). Close its connection when done.
 */
export function openWorkerTestDb(url: string): Db {
  const db = openDb({ url });
  syncTaskCatalog(db, [
    { name: "test.trace", description: null, exampleArgs: null, isBuiltin: false },
  ]);
  return db;
}
