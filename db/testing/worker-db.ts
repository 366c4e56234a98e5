/** Test helper: a migrated database file whose task catalog knows the test task `test.trace`. */
import { openDb } from "../client";
import { syncTaskCatalog } from "../queries/tasks";

/**
 * Opens (creating and migrating) the SQLite file at `url` and catalogs `test.trace` (which only
 * workers started with JOBDECK_TEST_TASKS=1 register), then closes it.
 */
export function prepareWorkerTestDb(url: string): void {
  const db = openDb({ url });
  try {
    syncTaskCatalog(db, [
      { name: "test.trace", description: null, exampleArgs: null, isBuiltin: false },
    ]);
  } finally {
    db.$client.close();
  }
}
