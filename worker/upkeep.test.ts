import fs from "node:fs";
import { afterEach, describe, expect, it } from "vitest";
import { cleanupAfterEach, waitFor } from "./testing/harness";
import { startUpkeep } from "./upkeep";

const { testDb } = cleanupAfterEach(afterEach);

describe("upkeep", () => {
  it("checkpoints the WAL on its timer, long before enqueuers would", async () => {
    const t = testDb();
    // A few hundred commits stay far below the connections' own autocheckpoint size, so the jobs
    // reach the database file only if the worker's housekeeping copies them there.
    for (let i = 0; i < 300; i++)
      await t.store.library.enqueue("demo.noop", { i, pad: "x".repeat(500) });
    const before = fs.statSync(t.url).size;
    const errors: string[] = [];
    const worker = t.store.worker("w1", {
      housekeeping: { everyMs: 20, onError: (_chore, message) => errors.push(message) },
    });
    try {
      // From a thread of its own: it starts, then copies on its first tick.
      await waitFor(() => fs.statSync(t.url).size > before + 300 * 500, 5_000, 20, "the copy");
      expect(fs.statSync(t.url).size).toBeGreaterThan(before + 300 * 500);
      expect(errors).toEqual([]);
    } finally {
      await worker.close();
    }
  });

  it("rescues a job whose lease expired, at once and then on its timer", async () => {
    const t = testDb();
    const id = await t.store.library.enqueue("demo.noop", null, { maxAttempts: 2 });
    const worker = t.store.worker("gone");
    try {
      expect((await worker.claimJobs(1, null, 1)).map((j) => j.id)).toEqual([id]);
    } finally {
      await worker.close();
    }
    const events: string[] = [];
    await new Promise((r) => setTimeout(r, 5));
    const stop = startUpkeep(
      t.store.upkeep,
      { workerId: "w1", leaseMs: 1_000, heartbeatMs: 60_000 },
      (event) => events.push(event),
    );
    try {
      await waitFor(() => events.includes("job:rescued"), 5_000, 20, "the rescue");
      expect(t.rows.queuedJob(id)).toEqual({ state: "queued", attempts: 1 });
      expect(t.rows.attempts(id).map((a) => a.outcome)).toEqual(["lost"]);
    } finally {
      stop();
    }
  });
});
