/**
 * A viewer sees no secret anywhere (issue 14.4): for jobs whose arguments, result, error, stack
 * and progress message hold secrets, every page loader, JSON route, API answer, the schedule form
 * and the audit log carry none of them; only an admin's audited Reveal does.
 */
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  loadFailureGroups,
  loadOverview,
  loadQueue,
  loadResults,
  maskJobDetail,
} from "@/app/(dashboard)/_lib/data";
import { scheduleToValues } from "@/app/(dashboard)/_lib/schedule-form-values";
import { parseQueueSearch, parseResultsSearch } from "@/app/(dashboard)/_lib/search-params";
import { closeAllStores, getStore } from "@/db/store";
import { testRows } from "@/db/testing/dash-rows";
import { GET as getOverview } from "./overview/route";
import { GET as getQueue } from "./queue/route";
import { GET as getResults } from "./results/route";
import { GET as getJobRoute } from "./v1/jobs/[id]/route";
import { POST as postJob } from "./v1/jobs/route";

/** Every secret planted below; none may show to a viewer. */
const SECRETS = [
  "pw-ARG-1",
  "tok-ARG-2",
  "tok-ARG-3",
  "pgpw-ARG-4",
  "phrase-ARG-5",
  "pgpw-ERR-6",
  "bearer-ERR-7",
  "pw-ERR-8",
  "pgpw-PROG-9",
  "key-SCHED-10",
  "pw-API-11",
];

const dir = fs.mkdtempSync(path.join(os.tmpdir(), "jobdeck-mask-"));
let admin = "";
let viewer = "";
const ids: Record<"success" | "failure" | "running" | "queued" | "api", number> = {
  success: 0,
  failure: 0,
  running: 0,
  queued: 0,
  api: 0,
};
let scheduleId = 0;

const secretArgs = {
  to: "ann@example.com",
  password: "pw-ARG-1",
  tokens: ["tok-ARG-2", "tok-ARG-3"],
  db: "postgres://app:pgpw-ARG-4@db.internal:5432/prod",
  nested: { passphrase: "phrase-ARG-5" },
};

function leaks(value: unknown): string[] {
  const text = typeof value === "string" ? value : JSON.stringify(value);
  return SECRETS.filter((s) => text.includes(s));
}

beforeAll(async () => {
  process.env.DATABASE_URL = path.join(dir, "mask.db");
  const { auth, library } = getStore();
  admin = (await auth.createApiToken({ name: "svc", role: "admin" }, "test")).token;
  viewer = (await auth.createApiToken({ name: "ro", role: "viewer" }, "test")).token;
  const store = getStore().worker("w1");
  // A success whose result is its arguments (as demo.echo returns them).
  ids.success = await library.enqueue("demo.echo", secretArgs, { queue: "q-success" });
  const [ok] = await store.claimJobs(1, ["q-success"], 60_000);
  await store.recordOutcomes([
    { kind: "success", job: ok!, stoppedAt: Date.now(), result: JSON.stringify(secretArgs) },
  ]);
  // A failure whose message and stack hold a connection string, a bearer token and a password.
  ids.failure = await library.enqueue("demo.fail", secretArgs, {
    queue: "q-failure",
    maxAttempts: 1,
  });
  const [bad] = await store.claimJobs(1, ["q-failure"], 60_000);
  await store.recordOutcomes([
    {
      kind: "error",
      job: bad!,
      stoppedAt: Date.now(),
      error: "connect postgres://svc:pgpw-ERR-6@db:5432/x refused",
      stack:
        "Error: connect refused\n  headers: { authorization: 'Bearer bearer-ERR-7' }\n  at login (password=pw-ERR-8)",
      attemptOutcome: "error",
      retryAt: null,
    },
  ]);
  // A running job whose progress message and last error hold secrets.
  ids.running = await library.enqueue("demo.sleep", secretArgs, { queue: "q-running" });
  const [run] = await store.claimJobs(1, ["q-running"], 60_000);
  await store.writeProgress([
    {
      id: run!.id,
      token: run!.claimToken,
      value: 0.5,
      message: "copying to mysql://root:pgpw-PROG-9@h/db",
    },
  ]);
  await store.close();
  ids.queued = await library.enqueue("demo.echo", secretArgs, { queue: "q-queued" });
  scheduleId = (
    await library.createSchedule({
      name: "nightly",
      task: "demo.echo",
      args: JSON.stringify({ apiKey: "key-SCHED-10", to: "ann" }),
      scheduleType: "daily",
      nextRunAt: Date.now() + 3_600_000,
    })
  ).id;
  // An enqueue through the API: its audit entry must not hold the arguments' secrets.
  const response = await postJob(
    new Request("http://127.0.0.1:3000/api/v1/jobs", {
      method: "POST",
      body: JSON.stringify({ task: "demo.echo", args: { password: "pw-API-11" } }),
      headers: { "content-type": "application/json", authorization: `Bearer ${admin}` },
    }),
  );
  ids.api = ((await response.json()) as { id: number }).id;
});

afterAll(async () => {
  testRows().close();
  await closeAllStores();
  fs.rmSync(dir, { recursive: true, force: true });
});

const asViewer = (url: string) =>
  new Request(`http://127.0.0.1:3000${url}`, { headers: { authorization: `Bearer ${viewer}` } });

describe("a viewer sees no secret anywhere", () => {
  it("the planted secrets are really stored (so the checks below can fail)", () => {
    const raw = testRows()
      .rows("results")
      .map((r) => [r.args, r.result, r.error, r.error_stack].map((v) => v ?? "").join(""))
      .join(",");
    expect(leaks(raw)).toEqual(expect.arrayContaining(["pw-ARG-1", "pgpw-ERR-6", "bearer-ERR-7"]));
  });

  it("in the page data: Successes, Failures, failure groups, Queue, Overview", async () => {
    const empty = new URLSearchParams();
    const successes = await loadResults("success", parseResultsSearch(empty), "viewer");
    const failures = await loadResults("failure", parseResultsSearch(empty), "viewer");
    expect(successes.rows.map((r) => r.id)).toContain(ids.success);
    expect(failures.rows.map((r) => r.id)).toContain(ids.failure);
    expect(leaks(successes)).toEqual([]);
    expect(leaks(failures)).toEqual([]);
    expect(leaks(await loadFailureGroups())).toEqual([]);
    const queue = await loadQueue(parseQueueSearch(empty));
    expect(queue.running.map((r) => r.id)).toContain(ids.running);
    expect(leaks(queue)).toEqual([]);
    expect(leaks(await loadOverview())).toEqual([]);
  });

  it("cannot be guessed through search: a viewer's text search skips arguments, results and errors", async () => {
    const search = (q: string, role: "viewer" | "admin") =>
      loadResults("success", parseResultsSearch(new URLSearchParams({ q })), role);
    // The admin finds the job by a secret's prefix (and may reveal it, audited); a viewer's
    // search, whose matches or count would confirm each guessed character, finds nothing.
    expect((await search("pw-ARG-", "admin")).rows.map((r) => r.id)).toContain(ids.success);
    const viewer = await search("pw-ARG-", "viewer");
    expect(viewer.rows).toEqual([]);
    expect(viewer.matching).toBe(0);
  });

  it("on the job page of each job", async () => {
    for (const id of Object.values(ids)) {
      const job = (await getStore().reads.getJobDetail(id))!;
      expect(job, `job ${id}`).not.toBeNull();
      expect(leaks(maskJobDetail(job)), `job ${id}`).toEqual([]);
    }
  });

  it("in the schedule form", async () => {
    const row = await getStore().reads.getScheduleRow(scheduleId);
    expect(row.args).toContain("key-SCHED-10");
    expect(scheduleToValues(row).args).not.toContain("key-SCHED-10");
  });

  it("from the JSON routes and the API with a viewer token", async () => {
    const answers = [
      await getOverview(asViewer("/api/overview")),
      await getQueue(asViewer("/api/queue")),
      await getResults(asViewer("/api/results?state=success")),
      await getResults(asViewer("/api/results?state=failure")),
      ...(await Promise.all(
        Object.values(ids).map((id) =>
          getJobRoute(asViewer(`/api/v1/jobs/${id}`), { params: Promise.resolve({ id: `${id}` }) }),
        ),
      )),
    ];
    for (const answer of answers) {
      expect(answer.status).toBe(200);
      expect(leaks(await answer.text())).toEqual([]);
    }
  });

  it("refuses a viewer's reveal; an admin's reveal answers raw values and is audited", async () => {
    const params = { params: Promise.resolve({ id: `${ids.failure}` }) };
    const refused = await getJobRoute(asViewer(`/api/v1/jobs/${ids.failure}?reveal=1`), params);
    expect(refused.status).toBe(403);
    expect(leaks(await refused.text())).toEqual([]);
    const revealed = await getJobRoute(
      new Request(`http://127.0.0.1:3000/api/v1/jobs/${ids.failure}?reveal=1`, {
        headers: { authorization: `Bearer ${admin}` },
      }),
      { params: Promise.resolve({ id: `${ids.failure}` }) },
    );
    const body = (await revealed.json()) as { job: { args: unknown; error: string } };
    expect(body.job.args).toEqual(secretArgs);
    expect(body.job.error).toContain("pgpw-ERR-6");
    const { rows } = await getStore().reads.listAudit({ limit: 100 });
    const entry = rows.find((r) => r.action === "job.reveal");
    expect(entry).toMatchObject({ actor: "token:svc", target: `job:${ids.failure}` });
  });

  it("in the audit log", () => {
    const rows = testRows().rows("audit_log");
    expect(rows.length).toBeGreaterThan(0);
    expect(leaks(rows)).toEqual([]);
  });
});
