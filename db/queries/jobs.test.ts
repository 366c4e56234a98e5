import { beforeAll, describe, expect, it } from "vitest";
import { enqueueJob } from "./enqueue";
import { cancelQueuedJob, requestCancel } from "../lifecycle";
import {
  countMatchingResults,
  getJob,
  listFailureGroups,
  listQueuedJobs,
  listResults,
  selectMatchingResultIds,
  type ResultListParams,
} from "./jobs";
import { queryPlan, setupTestDb } from "./test-db";

const t = setupTestDb({ per: "file" });

function insertResult(row: {
  id: number;
  state: "success" | "failure";
  task?: string;
  startedAt?: number | null;
  stoppedAt: number;
  error?: string;
  result?: string;
  args?: string;
  group?: string;
  retriedAs?: number;
}) {
  t.db.$client
    .prepare(
      `INSERT INTO results (id, name, task, args, queue, priority, state, group_name, result, error, created_at,
         started_at, stopped_at, duration_ms, attempts, retried_as)
       VALUES (@id, NULL, @task, @args, 'default', 0, @state, @group, @result, @error, 0, @startedAt, @stoppedAt,
         @duration, 1, @retriedAs)`,
    )
    .run({
      id: row.id,
      task: row.task ?? "demo.echo",
      args: row.args ?? "{}",
      state: row.state,
      group: row.group ?? null,
      result: row.result ?? null,
      error: row.error ?? null,
      startedAt: row.startedAt === undefined ? row.stoppedAt - 10 : row.startedAt,
      stoppedAt: row.stoppedAt,
      duration: row.startedAt === null ? null : 10 + (row.id % 7),
      retriedAs: row.retriedAs ?? null,
    });
}

beforeAll(() => {
  // Real results share ids with the jobs they came from; keep the fake ones below the job ids.
  t.db.$client.prepare(`UPDATE counters SET value = 10000 WHERE name = 'job_id_floor'`).run();
  for (let i = 1; i <= 45; i++) {
    insertResult({
      id: i,
      state: i % 3 === 0 ? "failure" : "success",
      task: i % 2 ? "demo.echo" : "demo.noop",
      stoppedAt: 1_000_000 + Math.floor(i / 2) * 1000,
      startedAt: i % 5 === 0 ? null : undefined,
      error: i % 3 === 0 ? (i % 2 ? "Boom\n at x" : "Timeout after 5s") : undefined,
      result: i % 3 === 0 ? undefined : JSON.stringify({ n: i, word: i === 7 ? "needle" : "hay" }),
    });
  }
});

function walk(params: Omit<ResultListParams, "cursor">): number[] {
  const ids: number[] = [];
  let cursor: ResultListParams["cursor"] = null;
  for (let guard = 0; guard < 100; guard++) {
    const page = listResults(t.db, { ...params, cursor });
    ids.push(...page.rows.map((r) => r.id));
    if (!page.next) break;
    cursor = page.next;
  }
  return ids;
}

describe("listResults", () => {
  it("pages through every success once, newest stopped first", () => {
    const ids = walk({ state: "success", sort: "stopped", dir: "desc", limit: 4 });
    expect(ids).toHaveLength(30);
    expect(new Set(ids).size).toBe(30);
    expect(ids[0]).toBe(44);
  });

  it("pages a nullable sort column through its values and its nulls, both directions", () => {
    for (const dir of ["asc", "desc"] as const) {
      const ids = walk({ state: "success", sort: "started", dir, limit: 4 });
      expect(new Set(ids).size).toBe(30);
      const all = walk({ state: "success", sort: "duration", dir, limit: 7 });
      expect(new Set(all).size).toBe(30);
    }
  });

  it("filters by task and finds text in results or an id", () => {
    expect(
      walk({ state: "success", task: "demo.noop", sort: "stopped", dir: "desc", limit: 50 }).length,
    ).toBe(15);
    const needle = {
      state: "success",
      q: "needle",
      sort: "stopped",
      dir: "desc",
      limit: 50,
    } as const;
    expect(walk({ ...needle, searchesContent: true })).toEqual([7]);
    // A viewer's search (the default) does not look inside results.
    expect(walk(needle)).toEqual([]);
    expect(walk({ state: "success", q: "#8", sort: "stopped", dir: "desc", limit: 50 })).toContain(
      8,
    );
  });

  it("groups failures by the first line of the error and filters by it", () => {
    const groups = listFailureGroups(t.db);
    expect(groups.map((g) => g.message).sort()).toEqual(["Boom", "Timeout after 5s"]);
    const boom = { state: "failure" as const, error: "Boom" };
    expect(countMatchingResults(t.db, boom)).toBe(groups.find((g) => g.message === "Boom")!.count);
    expect(selectMatchingResultIds(t.db, boom).every((id) => id % 2 === 1)).toBe(true);
  });

  it("uses an index for each sort and filter", () => {
    const plans = [
      `SELECT id FROM results WHERE state = 'success' AND (stopped_at, id) < (1, 1) ORDER BY stopped_at DESC, id DESC LIMIT 5`,
      `SELECT id FROM results WHERE state = 'success' AND duration_ms IS NOT NULL ORDER BY duration_ms DESC, id DESC LIMIT 5`,
      `SELECT id FROM results WHERE state = 'failure' AND task = 'x' ORDER BY stopped_at DESC, id DESC LIMIT 5`,
    ].map((sql) => queryPlan(t.db, sql));
    for (const plan of plans) {
      expect(plan).toMatch(/USING (COVERING )?INDEX results_state_/);
      expect(plan).not.toMatch(/TEMP B-TREE/);
    }
  });
});

describe("cancelling and the job page", () => {
  it("cancels a queued job into a failure that names who cancelled it", () => {
    const id = enqueueJob(t.db, "demo.echo", { a: 1 }, { delay: 3600 });
    expect(listQueuedJobs(t.db, { limit: 10 }).rows.map((r) => r.id)).toContain(id);
    expect(cancelQueuedJob(t.db, id, "alice")).toBe("cancelled");
    expect(cancelQueuedJob(t.db, id, "alice")).toBe("not-found");
    const job = getJob(t.db, id)!;
    expect(job.state).toBe("failure");
    expect(job.error).toBe("Cancelled by alice");
    expect(requestCancel(t.db, id)).toBe("not-found");
  });

  it("asks a running job to cancel once", () => {
    const id = enqueueJob(t.db, "demo.echo", {});
    t.db.$client.prepare(`UPDATE jobs SET state = 'running', started_at = 1 WHERE id = ?`).run(id);
    expect(requestCancel(t.db, id)).toBe("requested");
    expect(requestCancel(t.db, id)).toBe("already-requested");
    expect(getJob(t.db, id)!.cancelRequestedAt).not.toBeNull();
  });

  it("follows retry lineage both ways", () => {
    insertResult({ id: 900, state: "failure", stoppedAt: 5, error: "x", retriedAs: 901 });
    insertResult({ id: 901, state: "failure", stoppedAt: 6, error: "x", retriedAs: 902 });
    t.db.$client.prepare(`UPDATE results SET retry_of = 900 WHERE id = 901`).run();
    insertResult({ id: 902, state: "success", stoppedAt: 7 });
    t.db.$client.prepare(`UPDATE results SET retry_of = 901 WHERE id = 902`).run();
    const job = getJob(t.db, 901)!;
    expect(job.ancestors).toEqual([{ id: 900, state: "failure" }]);
    expect(job.descendants).toEqual([{ id: 902, state: "success" }]);
    expect(getJob(t.db, 123456)).toBeNull();
  });
});
