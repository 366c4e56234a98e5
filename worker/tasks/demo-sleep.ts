import { setTimeout as sleep } from "node:timers/promises";
import { z } from "zod";
import { defineTask } from "./define";

/** demo.sleep: waits `ms` milliseconds (reporting progress), stopping early when aborted. */
export default defineTask({
  name: "demo.sleep",
  description: "Waits ms milliseconds",
  exampleArgs: { ms: 1000 },
  schema: z.object({ ms: z.number().int().min(0).max(86_400_000) }),
  async run({ ms }, ctx) {
    const steps = Math.max(1, Math.min(20, Math.floor(ms / 250)));
    for (let i = 1; i <= steps; i++) {
      await sleep(ms / steps, undefined, { signal: ctx.signal });
      ctx.progress(i / steps, `slept ${Math.round((ms * i) / steps)} of ${ms} ms`);
    }
    return { sleptMs: ms };
  },
});
