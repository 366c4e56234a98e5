import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { openDb, type Db } from "../client";
import { migrateDatabase } from "../migrate";
import { enqueueJob } from "./enqueue";
import { listFailureGroups, listResults, selectMatchingResultIds, type FailureGroup } from "./jobs";
import { cancelQueuedJob, deleteResults, retryFailedJobs } from "../lifecycle";
import { migrationsBefore, openTestDb } from "./test-db";
import { pruneResults } from "./upkeep";

const DAY = 86_400_000;
const NOW = 1_800_000_000_000;
const TASKS = ["demo.echo", "demo.noop", "demo.fail"];
const ERRORS = [
  "Boom",
  "Boom\n    at run (tasks/a.ts:1:1)",
  "Boom\r\nwith a carriage return",
  "Timeout after 5s",
  "Timeout after 5s\nsecond line\nthird line",
  "",
  "\nstarts with a newline",
  "Error: payment declined for order 7",
];

/** What listFailureGroups computed before failure_groups existed: every failure grouped at read time. */
function groupedAtReadTime(db: Db): FailureGroup[] {
  const rows = db.$client
    .prepare(
      `SELECT substr(error, 1, instr(error || char(10), char(10)) - 1) AS message, COUNT(*) AS count,
         SUM(retried_as IS NULL) AS open, group_concat(DISTINCT task) AS tasks, MAX(stopped_at) AS lastAt
       FROM results WHERE state = 'failure'
       GROUP BY message ORDER BY open DESC, count DESC, lastAt DESC, message`,
    )
    .all() as FailureGroup[];
  return rows.map((g) => ({ ...g, tasks: g.tasks.split(",").sort().join(",") }));
}

function expectGroupsAsIfGroupedAtReadTime(db: Db): void {
  const expected = groupedAtReadTime(db);
  expect(listFailureGroups(db, 10_000)).toEqual(expected);
  expect(listFailureGroups(db, 3)).toEqual(expected.slice(0, 3));
  // Nothing left over: no empty group and no task without failures.
  expect(
    db.$client
      .prepare(`SELECT COUNT(*) FROM failure_groups WHERE count <= 0 OR open_count < 0`)
      .pluck()
      .get(),
  ).toBe(0);
  expect(
    db.$client
      .prepare(`SELECT message, task, count FROM failure_group_tasks ORDER BY message, task`)
      .all(),
  ).toEqual(
    db.$client
      .prepare(
        `SELECT error_message AS message, task, COUNT(*) AS count FROM results
         WHERE state = 'failure' GROUP BY error_message, task ORDER BY message, task`,
      )
      .all(),
  );
}

let nextId = 1;

/** Inserts a finished job the way the worker records one (ids below the jobs sequence). */
function insertResult(
  db: Db,
  row: { state: "success" | "failure"; task: string; error: string | null; stoppedAt: number },
): number {
  const id = nextId++;
  db.$client
    .prepare(
      `INSERT INTO results (id, name, task, args, queue, priority, state, error, created_at,
         started_at, stopped_at, duration_ms, attempts)
       VALUES (?, NULL, ?, '{}', 'default', 0, ?, ?, 0, ?, ?, 10, 1)`,
    )
    .run(id, row.task, row.state, row.error, row.stoppedAt - 10, row.stoppedAt);
  return id;
}

/** A mix of failures (several messages, multi-line errors, tasks, old and recent) and successes. */
function insertMix(db: Db, count: number): number[] {
  const ids: number[] = [];
  for (let i = 0; i < count; i++) {
    // Every fifth is two days old (pruned by failureDays: 1); stopped_at ties on purpose.
    const stoppedAt = NOW - (i % 5 === 0 ? 2 * DAY : 0) - Math.floor(i / 3) * 1000;
    ids.push(
      insertResult(db, {
        state: "failure",
        task: TASKS[(i * 7) % TASKS.length]!,
        error: ERRORS[(i * 5) % ERRORS.length]!,
        stoppedAt,
      }),
    );
    if (i % 2 === 0)
      insertResult(db, { state: "success", task: "demo.echo", error: null, stoppedAt });
  }
  return ids;
}

describe("failure groups maintained on write", () => {
  let db: Db;
  let cleanup: () => void;

  beforeEach(() => {
    ({ db, cleanup } = openTestDb());
    nextId = 1;
    // Real results share ids with their jobs; keep the inserted ones below the job ids.
    db.$client.prepare(`UPDATE counters SET value = 100000 WHERE name = 'job_id_floor'`).run();
  });
  afterEach(() => cleanup());

  it("match grouping at read time through inserts, retries, deletes and prunes", () => {
    expect(listFailureGroups(db)).toEqual([]);
    const ids = insertMix(db, 80);
    expectGroupsAsIfGroupedAtReadTime(db);

    // A cancel records a failure through the dashboard's own path.
    cancelQueuedJob(db, enqueueJob(db, "demo.echo", {}, { delay: 60 }), "alice");
    expectGroupsAsIfGroupedAtReadTime(db);

    // Retries set retried_as: the open counts drop, the counts stay.
    const retried = retryFailedJobs(
      db,
      ids.filter((_, i) => i % 4 === 1),
    );
    expect(retried.retried.length).toBe(20);
    expectGroupsAsIfGroupedAtReadTime(db);
    expect(retryFailedJobs(db, ids.slice(0, 10)).skipped.length).toBe(3);
    expectGroupsAsIfGroupedAtReadTime(db);

    // One by one, newest first, so each delete takes its group's newest failure (last_at moves).
    for (const id of selectMatchingResultIds(db, { state: "failure", error: "Boom" }).slice(0, 5)) {
      expect(deleteResults(db, [id])).toBe(1);
      expectGroupsAsIfGroupedAtReadTime(db);
    }
    // The last failure of a group: the group goes.
    const single = insertResult(db, {
      state: "failure",
      task: "demo.noop",
      error: "Only once\nat x",
      stoppedAt: NOW + 5,
    });
    expect(listFailureGroups(db, 100).map((g) => g.message)).toContain("Only once");
    deleteResults(db, [single]);
    expect(listFailureGroups(db, 100).map((g) => g.message)).not.toContain("Only once");
    expectGroupsAsIfGroupedAtReadTime(db);

    // By filter, as "Delete all matching" does: the not-retried ones of a group, then a group.
    const timeoutOpen = {
      state: "failure" as const,
      error: "Timeout after 5s",
      retried: "no" as const,
    };
    expect(deleteResults(db, selectMatchingResultIds(db, timeoutOpen))).toBeGreaterThan(0);
    expectGroupsAsIfGroupedAtReadTime(db);
    expect(
      deleteResults(db, selectMatchingResultIds(db, { state: "failure", error: "Boom\r" })),
    ).toBeGreaterThan(0);
    expectGroupsAsIfGroupedAtReadTime(db);

    // Any update that moves a failure between groups, tasks or states keeps them right.
    const moved = db.$client
      .prepare(`SELECT id FROM results WHERE state = 'failure' AND error_message = '' LIMIT 1`)
      .pluck()
      .get() as number;
    db.$client
      .prepare(`UPDATE results SET error = 'Moved\nx', task = 'demo.noop' WHERE id = ?`)
      .run(moved);
    expectGroupsAsIfGroupedAtReadTime(db);
    db.$client.prepare(`UPDATE results SET state = 'success' WHERE id = ?`).run(moved);
    expectGroupsAsIfGroupedAtReadTime(db);
    db.$client
      .prepare(`UPDATE results SET state = 'failure', stopped_at = ? WHERE id = ?`)
      .run(NOW + 9, moved);
    expectGroupsAsIfGroupedAtReadTime(db);

    // Pruning failures older than a day, and successes by the save limit.
    const pruned = pruneResults(db, { saveLimit: 3, saveDays: 0, failureDays: 1 }, NOW);
    expect(pruned.failures).toBeGreaterThan(0);
    expect(pruned.successes).toBeGreaterThan(0);
    expectGroupsAsIfGroupedAtReadTime(db);

    // Everything gone: no groups left.
    deleteResults(db, selectMatchingResultIds(db, { state: "failure" }));
    expect(listFailureGroups(db)).toEqual([]);
    expect(db.$client.prepare(`SELECT COUNT(*) FROM failure_group_tasks`).pluck().get()).toBe(0);
  });

  it("files a failure without an error under the empty message", () => {
    insertResult(db, { state: "failure", task: "demo.fail", error: null, stoppedAt: NOW });
    insertResult(db, { state: "failure", task: "demo.echo", error: "\nx", stoppedAt: NOW + 1 });
    expect(listFailureGroups(db)).toEqual([
      { message: "", count: 2, open: 2, tasks: "demo.echo,demo.fail", lastAt: NOW + 1 },
    ]);
  });

  it("filters failures by message through the message index", () => {
    insertMix(db, 40);
    const expected = db.$client
      .prepare(
        `SELECT id FROM results WHERE state = 'failure' AND error LIKE 'Timeout after 5s%'
         ORDER BY stopped_at DESC, id DESC`,
      )
      .pluck()
      .all();
    const page = listResults(db, {
      state: "failure",
      error: "Timeout after 5s",
      sort: "stopped",
      dir: "desc",
      limit: 200,
    });
    expect(page.rows.map((r) => r.id)).toEqual(expected);
    for (const dir of ["asc", "desc"] as const) {
      const byDuration = db.$client
        .prepare(
          `SELECT id FROM results WHERE state = 'failure' AND (error = 'Boom' OR error LIKE 'Boom' || char(10) || '%')
           ORDER BY duration_ms ${dir}, id ${dir}`,
        )
        .pluck()
        .all();
      const walked: number[] = [];
      let cursor = null;
      do {
        const p = listResults(db, {
          state: "failure",
          error: "Boom",
          sort: "duration",
          dir,
          limit: 3,
          cursor,
        });
        walked.push(...p.rows.map((r) => r.id));
        cursor = p.next;
      } while (cursor);
      expect(walked).toEqual(byDuration);
    }
    expect(
      listResults(db, { state: "success", error: "Boom", sort: "stopped", dir: "desc", limit: 5 })
        .rows,
    ).toEqual([]);
    const plan = (
      db.$client
        .prepare(
          `EXPLAIN QUERY PLAN SELECT id FROM results WHERE state = 'failure' AND error_message = ?
           AND retried_as IS NULL ORDER BY stopped_at DESC, id DESC LIMIT 51`,
        )
        .all("Boom") as { detail: string }[]
    )
      .map((r) => r.detail)
      .join("; ");
    expect(plan).toMatch(/USING INDEX results_failure_message_idx/);
    expect(plan).not.toMatch(/TEMP B-TREE/);
  });

  it("serves the groups list from its index without sorting", () => {
    const plan = (
      db.$client
        .prepare(
          `EXPLAIN QUERY PLAN SELECT message FROM failure_groups
           ORDER BY open_count DESC, count DESC, last_at DESC, message LIMIT 50`,
        )
        .all() as { detail: string }[]
    )
      .map((r) => r.detail)
      .join("; ");
    expect(plan).toMatch(/failure_groups_list_idx/);
    expect(plan).not.toMatch(/TEMP B-TREE/);
  });
});

describe("the failure groups migration", () => {
  let dir: string;

  beforeEach(() => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), "jobdeck-fg-migration-"));
    nextId = 1;
  });
  afterEach(() => fs.rmSync(dir, { recursive: true, force: true }));

  /** A copy of db/migrations holding only the migrations before failure_groups. */
  const migrationsBeforeFailureGroups = () => migrationsBefore(dir, "_failure_groups");

  it("backfills the groups from failures recorded before it", () => {
    const db = openDb({ url: path.join(dir, "old.db"), migrate: false });
    try {
      migrateDatabase(db.$client, migrationsBeforeFailureGroups());
      db.$client.prepare(`INSERT INTO sqlite_sequence (name, seq) VALUES ('jobs', 100000)`).run();
      expect(
        db.$client.prepare(`SELECT name FROM sqlite_master WHERE name = 'failure_groups'`).get(),
      ).toBeUndefined();
      insertMix(db, 60);
      db.$client
        .prepare(
          `UPDATE results SET retried_as = id + 100000 WHERE state = 'failure' AND id % 3 = 0`,
        )
        .run();

      expect(migrateDatabase(db.$client)).toBeGreaterThanOrEqual(2);
      // Boom, Boom\r, Timeout after 5s, payment declined, and '' (empty or starting with a newline).
      expect(listFailureGroups(db, 1000).length).toBe(5);
      expectGroupsAsIfGroupedAtReadTime(db);

      // And the triggers carry on from the backfilled counts.
      insertMix(db, 10);
      retryFailedJobs(db, selectMatchingResultIds(db, { state: "failure", retried: "no" }, 5));
      deleteResults(db, selectMatchingResultIds(db, { state: "failure", error: "Boom" }, 4));
      expectGroupsAsIfGroupedAtReadTime(db);
    } finally {
      db.$client.close();
    }
  });
});
