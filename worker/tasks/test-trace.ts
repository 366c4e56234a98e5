import fs from "node:fs";
import path from "node:path";
import { setTimeout as sleep } from "node:timers/promises";
import { z } from "zod";
import { defineTask } from "./define";

/**
 * test.trace: for the crash and concurrency tests only (registered when JOBDECK_TEST_TASKS=1).
 * Appends "<jobId> <attempt>" to a file in `dir` before working, so tests count real runs from
 * outside the queue database; then sleeps `ms` (or busy-waits with `block`) and may throw. With
 * `lateSignal` it looks at `ctx.signal` only after its sleep, and stops if the job was aborted.
 */
export default defineTask({
  name: "test.trace",
  description: "Test-only: records each run in a file, then sleeps and may throw",
  schema: z.object({
    dir: z.string(),
    ms: z.number().int().min(0).default(0),
    block: z.boolean().default(false),
    fail: z.boolean().default(false),
    lateSignal: z.boolean().default(false),
  }),
  async run({ dir, ms, block, fail, lateSignal }, ctx) {
    fs.appendFileSync(path.join(dir, `runs-${process.pid}.log`), `${ctx.jobId} ${ctx.attempt}\n`);
    if (block) {
      const end = Date.now() + ms;
      while (Date.now() < end);
    } else if (ms > 0) {
      await sleep(ms);
    }
    if (lateSignal) ctx.signal.throwIfAborted();
    if (fail)
      throw new Error(`test.trace failed on purpose (job ${ctx.jobId}, attempt ${ctx.attempt})`);
    return { jobId: ctx.jobId, attempt: ctx.attempt };
  },
});
