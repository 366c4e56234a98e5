import { z } from "zod";
import { defineTask } from "./define";

/** demo.cpu: a busy loop that blocks its thread for `ms` (only a hard timeout can stop it). */
export default defineTask({
  name: "demo.cpu",
  description: "Busy loop that blocks its thread for ms milliseconds",
  exampleArgs: { ms: 1000 },
  schema: z.object({ ms: z.number().int().min(0).max(86_400_000) }),
  run: ({ ms }) => {
    const end = Date.now() + ms;
    let spins = 0;
    while (Date.now() < end) spins++;
    return { spins };
  },
});
