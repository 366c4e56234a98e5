import { defineTask } from "./define";

/** demo.noop: does nothing (the throughput benchmark's task). */
export default defineTask({
  name: "demo.noop",
  description: "Does nothing",
  exampleArgs: null,
  run: () => null,
});
