/** `jobdeck tasks sync` publishes argument schemas, and `jobdeck enqueue` is refused by them. */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { openStore, type Store } from "@/db/store";
import { makeTestDb, runJobdeck } from "@/worker/testing/harness";

let testDb: ReturnType<typeof makeTestDb>;
let store: Store;
beforeAll(async () => {
  testDb = makeTestDb("jobdeck-cli-tasks-");
  store = await openStore({ url: testDb.url });
});
afterAll(async () => {
  await store.close();
  testDb.cleanup();
});

describe("jobdeck tasks sync", () => {
  it("publishes each task's schema, which jobdeck enqueue then checks", async () => {
    const jobdeck = (...args: string[]) => runJobdeck(testDb.url, ...args);
    const synced = jobdeck("tasks", "sync", "--json");
    expect(synced.code).toBe(0);
    const sleep = (JSON.parse(synced.stdout) as { name: string; argsSchema: string | null }[]).find(
      (t) => t.name === "demo.sleep",
    );
    expect(JSON.parse(sleep!.argsSchema!)).toMatchObject({
      properties: { ms: { type: "integer" } },
    });

    expect(jobdeck("tasks").stdout).toMatch(/^demo\.sleep +Waits ms milliseconds \(args: ms\)$/m);

    const refused = jobdeck("enqueue", "demo.sleep", "--args", '{"ms":"soon"}');
    expect(refused.code).not.toBe(0);
    expect(refused.stderr).toContain("args.ms: expected a whole number, got a string");
    expect(await store.reads.countQueuedJobs({})).toBe(0);
    expect(jobdeck("enqueue", "demo.sleep", "--args", '{"ms":5}').code).toBe(0);
  });
});
