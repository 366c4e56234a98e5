import { defineTask } from "./define";

/** demo.fail: always throws (to see failures, retries and the error with its stack). */
export default defineTask({
  name: "demo.fail",
  description: "Always throws",
  exampleArgs: {},
  run: (args: unknown) => {
    const reason = (args as { message?: unknown } | null)?.message;
    throw new Error(typeof reason === "string" ? reason : "demo.fail failed on purpose");
  },
});
