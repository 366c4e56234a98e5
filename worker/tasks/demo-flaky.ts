import { z } from "zod";
import { defineTask } from "./define";

/** demo.flaky: throws with probability `p` (default 0.5). */
export default defineTask({
  name: "demo.flaky",
  description: "Throws with probability p",
  exampleArgs: { p: 0.5 },
  schema: z.object({ p: z.number().min(0).max(1).default(0.5) }),
  run: ({ p }) => {
    if (Math.random() < p) throw new Error(`demo.flaky failed (p=${p})`);
    return { ok: true };
  },
});
