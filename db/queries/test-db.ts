/** Test helpers: a fresh, migrated SQLite file in the system temp folder. */
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { afterAll, afterEach, beforeAll, beforeEach } from "vitest";
import { openDb, type Db } from "../client";
import { migrationsFolder } from "../migrate";

/** A database opened for a test; `cleanup` closes it (and any `connect`ed one) and removes `dir`. */
export interface TestDb {
  db: Db;
  /** The database file, for a second connection or a child process. */
  file: string;
  /** The temp folder holding `file`, for other files a test writes; removed by `cleanup`. */
  dir: string;
  /** Opens another connection to `file`, closed by `cleanup`. */
  connect: () => Db;
  cleanup: () => void;
}

/** Opens a new migrated database in a temp folder; `cleanup` closes and removes it. */
export function openTestDb(): TestDb {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "jobdeck-test-"));
  const file = path.join(dir, "test.db");
  const db = openDb({ url: file });
  const connections = [db];
  return {
    db,
    file,
    dir,
    connect: () => {
      const other = openDb({ url: file, migrate: false });
      connections.push(other);
      return other;
    },
    cleanup: () => {
      for (const c of connections) c.$client.close();
      fs.rmSync(dir, { recursive: true, force: true });
    },
  };
}

/** Options for setupTestDb. */
export interface SetupTestDbOptions {
  /** "test" (default): a fresh database for each test; "file": one for all tests of the suite. */
  per?: "test" | "file";
}

/** The open database of the running test, read through getters (they throw outside a test). */
export type TestDbHandle = Readonly<Omit<TestDb, "cleanup">>;

/**
 * Registers hooks that open a test database before each test (or once, with `per: "file"`) and
 * clean it up after; call it in a suite (or at the top of a file) and read `.db` inside tests.
 */
export function setupTestDb(options: SetupTestDbOptions = {}): TestDbHandle {
  let current: TestDb | null = null;
  const open = () => {
    current = openTestDb();
  };
  const close = () => {
    current?.cleanup();
    current = null;
  };
  if (options.per === "file") {
    beforeAll(open);
    afterAll(close);
  } else {
    beforeEach(open);
    afterEach(close);
  }
  const get = (): TestDb => {
    if (!current) throw new Error("setupTestDb: no test database open (read it inside a test)");
    return current;
  };
  return {
    get db() {
      return get().db;
    },
    get file() {
      return get().file;
    },
    get dir() {
      return get().dir;
    },
    connect: () => get().connect(),
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

/** SQLite's plan for `sql` (with `params`), its steps joined by "; ", to check which index serves it. */
export function queryPlan(db: Db, sql: string, ...params: unknown[]): string {
  const steps = db.$client.prepare(`EXPLAIN QUERY PLAN ${sql}`).all(...params) as {
    detail: string;
  }[];
  return steps.map((s) => s.detail).join("; ");
}
