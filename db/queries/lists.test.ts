import { beforeAll, describe, expect, it } from "vitest";
import { enqueueJob } from "./enqueue";
import {
  countMatchingResults,
  countQueuedJobs,
  listQueuedJobs,
  listResults,
  RESULT_SORTS,
  type Cursor,
  type QueueCursor,
  type ResultListParams,
} from "./jobs";
import { queryPlan, setupTestDb } from "./test-db";

const t = setupTestDb({ per: "file" });
const ORDER_JOB = 1717;

/** Results 1..90: tied stop times, some null start times, 1-3 attempts, orders in the arguments. */
beforeAll(() => {
  t.db.$client.prepare(`UPDATE counters SET value = 100000 WHERE name = 'job_id_floor'`).run();
  const insert = t.db.$client.prepare(
    `INSERT INTO results (id, name, task, args, queue, priority, state, result, error, created_at,
       started_at, stopped_at, duration_ms, attempts)
     VALUES (@id, NULL, 'demo.echo', @args, @queue, 0, @state, @result, @error, 0, @startedAt,
       @stoppedAt, @duration, @attempts)`,
  );
  for (let id = 1; id <= 90; id++) {
    const stoppedAt = 1_000_000 + Math.floor(id / 3) * 1000;
    insert.run({
      id,
      args: JSON.stringify({ order: 881700 + id }),
      queue: id % 4 === 0 ? "mail" : "default",
      state: id % 5 === 0 ? "failure" : "success",
      result: id % 5 === 0 ? null : '{"ok":true}',
      error: id % 5 === 0 ? "Boom" : null,
      startedAt: id % 7 === 0 ? null : stoppedAt - 10,
      stoppedAt,
      duration: id % 7 === 0 ? null : (id * 37) % 11,
      attempts: 1 + (id % 3),
    });
  }
  // A success whose id is a number that also appears in another job's arguments.
  insert.run({
    id: ORDER_JOB,
    args: JSON.stringify({ order: 12 }),
    queue: "default",
    state: "success",
    result: null,
    error: null,
    startedAt: 1,
    stoppedAt: 2,
    duration: 1,
    attempts: 1,
  });
});

type Pages = number[][];

/** Every page from the first, following `next`. */
function forward(params: ResultListParams): { pages: Pages; lastPrev: Cursor | null } {
  const pages: Pages = [];
  let cursor: Cursor | null = null;
  let lastPrev: Cursor | null = null;
  for (let guard = 0; guard < 200; guard++) {
    const page = listResults(t.db, { ...params, cursor, before: null });
    pages.push(page.rows.map((r) => r.id));
    lastPrev = page.prev;
    if (!page.next) break;
    cursor = page.next;
  }
  return { pages, lastPrev };
}

/** The pages before the last one, following `prev` back to the first page. */
function backward(params: ResultListParams, from: Cursor | null): Pages {
  const pages: Pages = [];
  let before = from;
  for (let guard = 0; guard < 200 && before; guard++) {
    const page = listResults(t.db, { ...params, before, cursor: null });
    pages.unshift(page.rows.map((r) => r.id));
    before = page.prev;
  }
  return pages;
}

describe("results lists", () => {
  it("page back with Previous through the same pages as forward, for every sort", () => {
    for (const sort of RESULT_SORTS) {
      for (const dir of ["asc", "desc"] as const) {
        const params: ResultListParams = { state: "success", sort, dir, limit: 7 };
        const { pages, lastPrev } = forward(params);
        expect(pages.flat().length).toBe(73);
        expect(new Set(pages.flat()).size).toBe(73);
        expect(pages.length).toBeGreaterThan(3);
        expect(backward(params, lastPrev)).toEqual(pages.slice(0, -1));
      }
    }
  });

  it("say there is no previous page on the first page", () => {
    const first = listResults(t.db, { state: "success", sort: "stopped", dir: "desc", limit: 7 });
    expect(first.prev).toBeNull();
    const second = listResults(t.db, {
      state: "success",
      sort: "stopped",
      dir: "desc",
      limit: 7,
      cursor: first.next,
    });
    expect(second.prev).not.toBeNull();
    // Going back from the second page gives the first page again, full.
    const back = listResults(t.db, {
      state: "success",
      sort: "stopped",
      dir: "desc",
      limit: 7,
      before: second.prev,
    });
    expect(back.rows.map((r) => r.id)).toEqual(first.rows.map((r) => r.id));
    expect(back.prev).toBeNull();
  });

  it("sort by attempts through results_state_attempts_idx", () => {
    for (const dir of ["asc", "desc"] as const) {
      const expected = t.db.$client
        .prepare(
          `SELECT id FROM results WHERE state = 'success' ORDER BY attempts ${dir}, id ${dir}`,
        )
        .pluck()
        .all();
      const { pages } = forward({ state: "success", sort: "attempts", dir, limit: 10 });
      expect(pages.flat()).toEqual(expected);
    }
    const plan = queryPlan(
      t.db,
      `SELECT id FROM results WHERE state = 'failure'
       AND (attempts, id) < (2, 50) ORDER BY attempts DESC, id DESC LIMIT 51`,
    );
    expect(plan).toMatch(/results_state_attempts_idx/);
    expect(plan).not.toMatch(/TEMP B-TREE/);
  });

  it("find a number both as a job id (first) and in the text", () => {
    const search = (q: string) =>
      listResults(t.db, {
        state: "success",
        q,
        searchesContent: true,
        sort: "stopped",
        dir: "desc",
        limit: 50,
      }).rows.map((r) => r.id);
    // An order number in the arguments (no job has that id).
    expect(search("881789")).toEqual([89]);
    // A number that is a job id and appears in other jobs' arguments: the job first, then those.
    const text = t.db.$client
      .prepare(
        `SELECT id FROM results WHERE state = 'success' AND id != ? AND args LIKE '%1717%'
         ORDER BY stopped_at DESC, id DESC`,
      )
      .pluck()
      .all(ORDER_JOB);
    expect(text.length).toBeGreaterThan(0);
    expect(search(String(ORDER_JOB))).toEqual([ORDER_JOB, ...text]);
    expect(search(`#${ORDER_JOB}`)[0]).toBe(ORDER_JOB);
    // Job 12 (a success) and the job whose arguments hold the order 12.
    expect(search("12")).toEqual(expect.arrayContaining([12, ORDER_JOB]));
    expect(search("12")[0]).toBe(12);
    // Counted and selected the same way.
    expect(
      countMatchingResults(t.db, { state: "success", q: String(ORDER_JOB), searchesContent: true }),
    ).toBe(text.length + 1);
    // Without content search (a viewer's), only the id and names match.
    expect(countMatchingResults(t.db, { state: "success", q: String(ORDER_JOB) })).toBe(1);
  });

  it("count matching rows exactly up to the cap and say when there are more", () => {
    expect(countMatchingResults(t.db, { state: "success", queue: "mail" }, 10_000)).toBe(
      t.db.$client
        .prepare(`SELECT COUNT(*) FROM results WHERE state = 'success' AND queue = 'mail'`)
        .pluck()
        .get(),
    );
    expect(countMatchingResults(t.db, { state: "success" }, 10)).toBe(11);
  });
});

describe("the queued list", () => {
  const q = setupTestDb();

  it("pages back with Previous through the same pages as forward", () => {
    for (let i = 0; i < 23; i++)
      enqueueJob(q.db, "demo.noop", { i }, { priority: i % 3, queue: i % 2 ? "mail" : "default" });
    const pages: number[][] = [];
    let cursor: QueueCursor | null = null;
    let prev: QueueCursor | null = null;
    for (let guard = 0; guard < 50; guard++) {
      const page = listQueuedJobs(q.db, { cursor, limit: 5 });
      pages.push(page.rows.map((r) => r.id));
      prev = page.prev;
      if (!page.next) break;
      cursor = page.next;
    }
    expect(pages.flat().length).toBe(23);
    const back: number[][] = [];
    while (prev) {
      const page = listQueuedJobs(q.db, { before: prev, limit: 5 });
      back.unshift(page.rows.map((r) => r.id));
      prev = page.prev;
    }
    expect(back).toEqual(pages.slice(0, -1));
    expect(countQueuedJobs(q.db, { queue: "mail" })).toBe(11);
    expect(countQueuedJobs(q.db, {}, 5)).toBe(6);
  });
});
