import { defineTask } from "./define";

/** demo.echo: returns its arguments. */
export default defineTask({
  name: "demo.echo",
  description: "Returns its arguments",
  exampleArgs: { hello: "world" },
  run: (args: unknown) => args,
});
