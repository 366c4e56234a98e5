import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { openDb, type Db } from "../client";
import { migrateDatabase } from "../migrate";
import { enqueueJob } from "./enqueue";
import { listFailureGroups, listResults, selectMatchingResultIds, type FailureGroup } from "./jobs";
import { cancelQueuedJob, deleteResults, retryFailedJobs } from "../lifecycle";
import { errorFingerprint, firstLine } from "./failure-groups";
import { migrationsBefore, queryPlan, setupTestDb } from "./test-db";
import { createWorkerStore } from "./claim";
import { pruneResults, rescueExpiredLeases } from "./upkeep";

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

/**
 * Every failure grouped at read time by its fingerprint, computed here in JS from the error (or
 * the first line when it was written without one); the example is left out (it depends on the
 * order of writes, checked on its own).
 */
function groupedAtReadTime(db: Db): Omit<FailureGroup, "example">[] {
  const rows = db.$client
    .prepare(
      `SELECT error, error_fingerprint AS fingerprint, task, retried_as AS retriedAs, stopped_at AS stoppedAt
       FROM results WHERE state = 'failure'`,
    )
    .all() as {
    error: string | null;
    fingerprint: string | null;
    task: string;
    retriedAs: number | null;
    stoppedAt: number;
  }[];
  const groups = new Map<string, Omit<FailureGroup, "example"> & { taskSet: Set<string> }>();
  for (const r of rows) {
    const key = r.fingerprint === null ? firstLine(r.error) : (errorFingerprint(r.error) ?? "");
    const g = groups.get(key) ?? {
      message: key,
      count: 0,
      open: 0,
      tasks: "",
      lastAt: r.stoppedAt,
      taskSet: new Set<string>(),
    };
    g.count++;
    if (r.retriedAs === null) g.open++;
    g.lastAt = Math.max(g.lastAt, r.stoppedAt);
    g.taskSet.add(r.task);
    groups.set(key, g);
  }
  return [...groups.values()]
    .map(({ taskSet, ...g }) => ({ ...g, tasks: [...taskSet].sort().join(",") }))
    .sort(
      (a, b) =>
        b.open - a.open ||
        b.count - a.count ||
        b.lastAt - a.lastAt ||
        (a.message < b.message ? -1 : a.message > b.message ? 1 : 0),
    );
}

const withoutExample = (groups: FailureGroup[]) => groups.map(({ example: _e, ...g }) => g);

function expectGroupsAsIfGroupedAtReadTime(db: Db): void {
  const expected = groupedAtReadTime(db);
  expect(withoutExample(listFailureGroups(db, 10_000))).toEqual(expected);
  expect(withoutExample(listFailureGroups(db, 3))).toEqual(expected.slice(0, 3));
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
        `SELECT error_group AS message, task, COUNT(*) AS count FROM results
         WHERE state = 'failure' GROUP BY error_group, task ORDER BY message, task`,
      )
      .all(),
  );
}

let nextId = 1;

/** Inserts a finished job the way the worker records one (ids below the jobs sequence). */
function insertResult(
  db: Db,
  row: { state: "success" | "failure"; task: string; error: string | null; stoppedAt: number },
  { fingerprint = true } = {},
): number {
  const id = nextId++;
  db.$client
    .prepare(
      `INSERT INTO results (id, name, task, args, queue, priority, state, error, created_at,
         started_at, stopped_at, duration_ms, attempts${fingerprint ? ", error_fingerprint" : ""})
       VALUES (?, NULL, ?, '{}', 'default', 0, ?, ?, 0, ?, ?, 10, 1${fingerprint ? ", ?" : ""})`,
    )
    .run(
      id,
      row.task,
      row.state,
      row.error,
      row.stoppedAt - 10,
      row.stoppedAt,
      ...(fingerprint ? [errorFingerprint(row.error)] : []),
    );
  return id;
}

/** A mix of failures (several messages, multi-line errors, tasks, old and recent) and successes. */
function insertMix(db: Db, count: number, { fingerprint = true } = {}): number[] {
  const ids: number[] = [];
  for (let i = 0; i < count; i++) {
    // Every fifth is two days old (pruned by failureDays: 1); stopped_at ties on purpose.
    const stoppedAt = NOW - (i % 5 === 0 ? 2 * DAY : 0) - Math.floor(i / 3) * 1000;
    ids.push(
      insertResult(
        db,
        {
          state: "failure",
          task: TASKS[(i * 7) % TASKS.length]!,
          error: ERRORS[(i * 5) % ERRORS.length]!,
          stoppedAt,
        },
        { fingerprint },
      ),
    );
    if (i % 2 === 0)
      insertResult(
        db,
        { state: "success", task: "demo.echo", error: null, stoppedAt },
        { fingerprint },
      );
  }
  return ids;
}

describe("failure groups maintained on write", () => {
  const t = setupTestDb();

  beforeEach(() => {
    nextId = 1;
    // Real results share ids with their jobs; keep the inserted ones below the job ids.
    t.db.$client.prepare(`UPDATE counters SET value = 100000 WHERE name = 'job_id_floor'`).run();
  });

  it("match grouping at read time through inserts, retries, deletes and prunes", () => {
    expect(listFailureGroups(t.db)).toEqual([]);
    const ids = insertMix(t.db, 80);
    expectGroupsAsIfGroupedAtReadTime(t.db);

    // A cancel records a failure through the dashboard's own path.
    cancelQueuedJob(t.db, enqueueJob(t.db, "demo.echo", {}, { delay: 60 }), "alice");
    expectGroupsAsIfGroupedAtReadTime(t.db);

    // Retries set retried_as: the open counts drop, the counts stay.
    const retried = retryFailedJobs(
      t.db,
      ids.filter((_, i) => i % 4 === 1),
    );
    expect(retried.retried.length).toBe(20);
    expectGroupsAsIfGroupedAtReadTime(t.db);
    expect(retryFailedJobs(t.db, ids.slice(0, 10)).skipped.length).toBe(3);
    expectGroupsAsIfGroupedAtReadTime(t.db);

    // One by one, newest first, so each delete takes its group's newest failure (last_at moves).
    for (const id of selectMatchingResultIds(t.db, { state: "failure", error: "Boom" }).slice(
      0,
      5,
    )) {
      expect(deleteResults(t.db, [id])).toBe(1);
      expectGroupsAsIfGroupedAtReadTime(t.db);
    }
    // The last failure of a group: the group goes.
    const single = insertResult(t.db, {
      state: "failure",
      task: "demo.noop",
      error: "Only once\nat x",
      stoppedAt: NOW + 5,
    });
    expect(listFailureGroups(t.db, 100).map((g) => g.message)).toContain("Only once");
    deleteResults(t.db, [single]);
    expect(listFailureGroups(t.db, 100).map((g) => g.message)).not.toContain("Only once");
    expectGroupsAsIfGroupedAtReadTime(t.db);

    // By filter, as "Delete all matching" does: the not-retried ones of a group, then a group.
    const timeoutOpen = {
      state: "failure" as const,
      error: "Timeout after <num>s",
      retried: "no" as const,
    };
    expect(deleteResults(t.db, selectMatchingResultIds(t.db, timeoutOpen))).toBeGreaterThan(0);
    expectGroupsAsIfGroupedAtReadTime(t.db);
    expect(
      deleteResults(
        t.db,
        selectMatchingResultIds(t.db, {
          state: "failure",
          error: "Error: payment declined for order <num>",
        }),
      ),
    ).toBeGreaterThan(0);
    expectGroupsAsIfGroupedAtReadTime(t.db);

    // Any update that moves a failure between groups, tasks or states keeps them right.
    const moved = t.db.$client
      .prepare(`SELECT id FROM results WHERE state = 'failure' AND error_message = '' LIMIT 1`)
      .pluck()
      .get() as number;
    t.db.$client
      .prepare(
        `UPDATE results SET error = 'Moved\nx', error_fingerprint = 'Moved', task = 'demo.noop' WHERE id = ?`,
      )
      .run(moved);
    expectGroupsAsIfGroupedAtReadTime(t.db);
    t.db.$client.prepare(`UPDATE results SET state = 'success' WHERE id = ?`).run(moved);
    expectGroupsAsIfGroupedAtReadTime(t.db);
    t.db.$client
      .prepare(`UPDATE results SET state = 'failure', stopped_at = ? WHERE id = ?`)
      .run(NOW + 9, moved);
    expectGroupsAsIfGroupedAtReadTime(t.db);

    // Pruning failures older than a day, and successes by the save limit.
    const pruned = pruneResults(t.db, { saveLimit: 3, saveDays: 0, failureDays: 1 }, NOW);
    expect(pruned.failures).toBeGreaterThan(0);
    expect(pruned.successes).toBeGreaterThan(0);
    expectGroupsAsIfGroupedAtReadTime(t.db);

    // Everything gone: no groups left.
    deleteResults(t.db, selectMatchingResultIds(t.db, { state: "failure" }));
    expect(listFailureGroups(t.db)).toEqual([]);
    expect(t.db.$client.prepare(`SELECT COUNT(*) FROM failure_group_tasks`).pluck().get()).toBe(0);
  });

  it("files a failure without an error under the empty message", () => {
    insertResult(t.db, { state: "failure", task: "demo.fail", error: null, stoppedAt: NOW });
    insertResult(t.db, { state: "failure", task: "demo.echo", error: "\nx", stoppedAt: NOW + 1 });
    expect(listFailureGroups(t.db)).toEqual([
      {
        message: "",
        example: "",
        count: 2,
        open: 2,
        tasks: "demo.echo,demo.fail",
        lastAt: NOW + 1,
      },
    ]);
  });

  it("filters failures by group through the group index", () => {
    insertMix(t.db, 40);
    const expected = t.db.$client
      .prepare(
        `SELECT id FROM results WHERE state = 'failure' AND error LIKE 'Timeout after 5s%'
         ORDER BY stopped_at DESC, id DESC`,
      )
      .pluck()
      .all();
    const page = listResults(t.db, {
      state: "failure",
      error: "Timeout after <num>s",
      sort: "stopped",
      dir: "desc",
      limit: 200,
    });
    expect(page.rows.map((r) => r.id)).toEqual(expected);
    for (const dir of ["asc", "desc"] as const) {
      const byDuration = t.db.$client
        .prepare(
          `SELECT id FROM results WHERE state = 'failure' AND (error = 'Boom' OR error LIKE 'Boom' || char(10) || '%'
             OR error LIKE 'Boom' || char(13, 10) || '%')
           ORDER BY duration_ms ${dir}, id ${dir}`,
        )
        .pluck()
        .all();
      const walked: number[] = [];
      let cursor = null;
      do {
        const p = listResults(t.db, {
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
      listResults(t.db, { state: "success", error: "Boom", sort: "stopped", dir: "desc", limit: 5 })
        .rows,
    ).toEqual([]);
    const plan = queryPlan(
      t.db,
      `SELECT id FROM results WHERE state = 'failure' AND error_group = ?
       AND retried_as IS NULL ORDER BY stopped_at DESC, id DESC LIMIT 51`,
      "Boom",
    );
    expect(plan).toMatch(/USING INDEX results_failure_group_idx/);
    expect(plan).not.toMatch(/TEMP B-TREE/);
  });

  it("serves the groups list from its index without sorting", () => {
    const plan = queryPlan(
      t.db,
      `SELECT message FROM failure_groups
       ORDER BY open_count DESC, count DESC, last_at DESC, message LIMIT 50`,
    );
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
      insertMix(db, 60, { fingerprint: false });
      db.$client
        .prepare(
          `UPDATE results SET retried_as = id + 100000 WHERE state = 'failure' AND id % 3 = 0`,
        )
        .run();

      expect(migrateDatabase(db.$client)).toBeGreaterThanOrEqual(2);
      // Boom (with Boom\r), Timeout after <num>s, payment declined for order <num>, and ''
      // (empty or starting with a newline).
      expect(listFailureGroups(db, 1000).length).toBe(4);
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

  it("re-groups failures recorded before fingerprints by fingerprint", () => {
    const db = openDb({ url: path.join(dir, "fp.db"), migrate: false });
    try {
      migrateDatabase(db.$client, migrationsBefore(dir, "_failure_fingerprints"));
      db.$client.prepare(`UPDATE counters SET value = 100000 WHERE name = 'job_id_floor'`).run();
      for (let order = 1; order <= 100; order++)
        insertResult(
          db,
          {
            state: "failure",
            task: "demo.fail",
            error: `Error: payment declined for order ${881700 + order}\n    at pay (x.ts:1:1)`,
            stoppedAt: NOW + order,
          },
          { fingerprint: false },
        );
      insertResult(
        db,
        { state: "failure", task: "demo.echo", error: "Boom", stoppedAt: NOW },
        { fingerprint: false },
      );
      // Before: one group per order.
      expect(db.$client.prepare(`SELECT COUNT(*) FROM failure_groups`).pluck().get()).toBe(101);

      expect(migrateDatabase(db.$client)).toBeGreaterThanOrEqual(1);
      const groups = listFailureGroups(db, 1000);
      expect(groups).toEqual([
        {
          message: "Error: payment declined for order <num>",
          example: "Error: payment declined for order 881800",
          count: 100,
          open: 100,
          tasks: "demo.fail",
          lastAt: NOW + 100,
        },
        { message: "Boom", example: "Boom", count: 1, open: 1, tasks: "demo.echo", lastAt: NOW },
      ]);
      // The group's link lists all of its failures.
      const page = listResults(db, {
        state: "failure",
        error: groups[0]!.message,
        sort: "stopped",
        dir: "desc",
        limit: 200,
      });
      expect(page.rows.length).toBe(100);
    } finally {
      db.$client.close();
    }
  });
});

describe("failures grouped by fingerprint", () => {
  const t = setupTestDb();

  /** Runs a job of demo.fail that fails for good with `error`, through the worker's store. */
  function failForGood(error: string, stoppedAt: number): number {
    const id = enqueueJob(t.db, "demo.fail", {}, { maxAttempts: 1 });
    const store = createWorkerStore(t.db, "w1");
    const [job] = store.claimJobs(1, null, 30_000);
    expect(job?.id).toBe(id);
    const lost = store.recordOutcomes([
      {
        kind: "error",
        job: job!,
        stoppedAt,
        error,
        stack: null,
        attemptOutcome: "error",
        retryAt: null,
      },
    ]);
    expect(lost).toEqual([]);
    return id;
  }

  it("puts errors that differ only in numbers, ids, hex and quoted values in one group", () => {
    const now = Date.now() + 60_000;
    const errors = [
      "Error: payment declined for order 881789",
      "Error: payment declined for order 12",
      'User "ada@example.com" not found in tenant 550e8400-e29b-41d4-a716-446655440000',
      'User "bob" not found in tenant 6ba7b810-9dad-11d1-80b4-00c04fd430c8',
      "Checksum 0xdeadbeef differs from 3f2a9c1d7e for 'a.txt'",
      "Checksum 0x1f differs from 88ab00ff11cc for 'b c.txt'",
    ];
    errors.forEach((e, i) => failForGood(`${e}\n    at run (x.ts:${i}:1)`, now + i));
    // The worker's lease rescue and a cancel record failures too.
    expect(listFailureGroups(t.db, 100)).toEqual([
      {
        message: "Checksum <hex> differs from <hex> for <str>",
        example: "Checksum 0x1f differs from 88ab00ff11cc for 'b c.txt'",
        count: 2,
        open: 2,
        tasks: "demo.fail",
        lastAt: now + 5,
      },
      {
        message: "User <str> not found in tenant <uuid>",
        example: 'User "bob" not found in tenant 6ba7b810-9dad-11d1-80b4-00c04fd430c8',
        count: 2,
        open: 2,
        tasks: "demo.fail",
        lastAt: now + 3,
      },
      {
        message: "Error: payment declined for order <num>",
        example: "Error: payment declined for order 12",
        count: 2,
        open: 2,
        tasks: "demo.fail",
        lastAt: now + 1,
      },
    ]);
  });

  it("fingerprints failures recorded by a cancel and by the lease rescue", () => {
    cancelQueuedJob(t.db, enqueueJob(t.db, "demo.echo", {}, { delay: 60 }), "alice");
    const id = enqueueJob(t.db, "demo.sleep", { ms: 1 }, { maxAttempts: 1 });
    const other = enqueueJob(t.db, "demo.sleep", { ms: 1 }, { maxAttempts: 1 });
    const now = Date.now();
    // Two worker processes with ids as newWorkerId makes them: still one group.
    createWorkerStore(t.db, "host-1:4242:k3j9x2").claimJobs(1, null, 1_000, now);
    createWorkerStore(t.db, "host-1:5151:a7q2zz").claimJobs(1, null, 1_000, now);
    expect(rescueExpiredLeases(t.db, now + 5_000).failed).toEqual([id, other]);
    const fingerprints = t.db.$client
      .prepare(`SELECT error_fingerprint FROM results WHERE state = 'failure' ORDER BY id`)
      .pluck()
      .all();
    expect(fingerprints).toEqual([
      "Cancelled by alice",
      "Lost: its worker stopped renewing its lease (it crashed, was killed or stalled) during attempt <num>",
      "Lost: its worker stopped renewing its lease (it crashed, was killed or stalled) during attempt <num>",
    ]);
  });

  it("normalises a message like an error tracker", () => {
    const cases: [string | null, string | null][] = [
      [null, null],
      ["", ""],
      ["Timed out after 30 s\nstack", "Timed out after <num> s"],
      ["connect ECONNREFUSED 10.0.0.3:5432", "connect ECONNREFUSED <num>"],
      ["took 500ms at 2026-12-07T17:52:29.120Z, 2026-12-08", "took <num>ms at <time>, <time>"],
      ["can't read user's file 'x y'", "can't read user's file <str>"],
      ['key `a-1` and "q \\" r" missing', "key <str> and <str> missing"],
      ["sha256 v2 utf8 deadbeef facade", "sha256 v2 utf8 deadbeef facade"],
      ["user_42 #7 id=abc1234def", "user_<num> #<num> id=<hex>"],
      ["UUID 550E8400-E29B-41D4-A716-446655440000 ok", "UUID <uuid> ok"],
      ["  spaced \t  out  ", "spaced out"],
      ["Boom\r\nx", "Boom"],
    ];
    for (const [input, expected] of cases) expect(errorFingerprint(input)).toBe(expected);
    expect(errorFingerprint("x".repeat(5000))!.length).toBe(500);
  });
});
