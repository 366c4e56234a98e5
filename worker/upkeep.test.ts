import fs from "node:fs";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { enqueueJob } from "@/db/queries/enqueue";
import { openTestDb } from "@/db/queries/test-db";
import { waitFor } from "./testing/harness";
import { startUpkeep } from "./upkeep";

let t: ReturnType<typeof openTestDb>;
beforeEach(() => {
  t = openTestDb();
});
afterEach(() => t.cleanup());

describe("upkeep", () => {
  it("checkpoints the WAL on its timer, long before enqueuers would", async () => {
    // A few hundred commits stay far below the connections' own autocheckpoint size, so the jobs
    // reach the database file only if upkeep copies them there.
    for (let i = 0; i < 300; i++) enqueueJob(t.db, "demo.noop", { i, pad: "x".repeat(500) });
    const before = fs.statSync(t.file).size;
    const stop = startUpkeep(
      t.db,
      { workerId: "w1", leaseMs: 60_000, heartbeatMs: 60_000, checkpointMs: 20 },
      () => undefined,
    );
    try {
      // From a thread of its own: it starts, then copies on its first tick.
      await waitFor(() => fs.statSync(t.file).size > before + 300 * 500, 5_000, 20, "the copy");
      expect(fs.statSync(t.file).size).toBeGreaterThan(before + 300 * 500);
    } finally {
      stop();
    }
  });
});
