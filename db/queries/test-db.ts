/** Test helper: a fresh, migrated SQLite file in the system temp folder. */
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { openDb, type Db } from "../client";
import { migrationsFolder } from "../migrate";

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

/**
 * A copy of db/migrations, in `dir`, holding only the migrations before the one whose tag ends in
 * `tagSuffix` (to build a database as an older release left it); returns the folder.
 */
export function migrationsBefore(dir: string, tagSuffix: string): string {
  const folder = path.join(dir, "migrations");
  fs.cpSync(migrationsFolder(), folder, { recursive: true });
  const journalFile = path.join(folder, "meta", "_journal.json");
  const journal = JSON.parse(fs.readFileSync(journalFile, "utf8")) as {
    entries: { tag: string }[];
  };
  const at = journal.entries.findIndex((e) => e.tag.endsWith(tagSuffix));
  if (at <= 0) throw new Error(`no migration after the first has a tag ending in ${tagSuffix}`);
  journal.entries = journal.entries.slice(0, at);
  fs.writeFileSync(journalFile, JSON.stringify(journal));
  return folder;
}
