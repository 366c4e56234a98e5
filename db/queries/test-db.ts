/** Test helper: a fresh, migrated SQLite file in the system temp folder. */
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { openDb, type Db } from "../client";

/** Opens a new migrated database in a temp folder; `cleanup` closes and removes it. */
export function openTestDb(): { db: Db; file: string; cleanup: () => void } {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "jobdeck-test-"));
  const file = path.join(dir, "test.db");
  const db = openDb({ url: file });
  return {
    db,
    file,
    cleanup: () => {
      db.$client.close();
      fs.rmSync(dir, { recursive: true, force: true });
    },
  };
}
