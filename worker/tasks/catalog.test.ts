/** The catalog publishes each task's argument schema, and every enqueue door in db/ checks it. */
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { InputError } from "@/db/errors";
import { openStore, type Store } from "@/db/store";
import { taskCatalog } from "./index";

let dir: string;
let store: Store;
beforeEach(async () => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), "jobdeck-catalog-"));
  store = await openStore({ url: path.join(dir, "q.db") });
  await store.upkeep.syncTaskCatalog(taskCatalog());
});
afterEach(async () => {
  await store.close();
  fs.rmSync(dir, { recursive: true, force: true });
});

const count = async () => (await store.reads.getQueueStats()).queued;

async function refusal(run: () => Promise<unknown>): Promise<InputError> {
  try {
    await run();
  } catch (error) {
    if (error instanceof InputError) return error;
    throw error;
  }
  throw new Error("expected an InputError");
}

describe("the task catalog", () => {
  it("stores each task's arguments as JSON Schema, and null for a task without a schema", async () => {
    const tasks = new Map((await store.reads.listTasks()).map((t) => [t.name, t]));
    const sleep = JSON.parse(tasks.get("demo.sleep")!.argsSchema!) as Record<string, unknown>;
    expect(sleep).toMatchObject({
      type: "object",
      properties: { ms: { type: "integer", minimum: 0 } },
      required: ["ms"],
    });
    expect(tasks.get("demo.echo")!.argsSchema).toBeNull();
  });
});

describe("enqueue checks arguments against the task's schema", () => {
  it("refuses arguments the task would refuse, naming the argument", async () => {
    const error = await refusal(() => store.library.enqueue("demo.sleep", { ms: "soon" }));
    expect(error.field).toBe("args");
    expect(error.message).toBe("args.ms: expected a whole number, got a string (task demo.sleep)");
    expect((await refusal(() => store.library.enqueue("demo.sleep"))).message).toContain(
      "args: expected an object, got null",
    );
    expect(await count()).toBe(0);
    expect(await store.library.enqueue("demo.sleep", { ms: 10 })).toBeGreaterThan(0);
  });

  it("checks every row of a bulk enqueue and inserts none when one is wrong", async () => {
    const good = { task: "demo.sleep", args: { ms: 1 } };
    const error = await refusal(() =>
      store.library.enqueueMany([
        good,
        { task: "demo.echo", args: 1 },
        good,
        { task: "demo.sleep", args: { ms: -1 } },
      ]),
    );
    expect(error.message).toBe("job 3: args.ms: expected at least 0, got -1 (task demo.sleep)");
    expect(await count()).toBe(0);
    expect(
      await store.library.enqueueMany([good, good, { task: "demo.echo", args: "anything" }]),
    ).toHaveLength(3);
  });

  it("accepts any JSON for a task catalogued without a schema (as before schemas)", async () => {
    await store.upkeep.syncTaskCatalog([
      { name: "legacy.task", description: null, exampleArgs: null, isBuiltin: false },
    ]);
    expect(await store.library.enqueue("legacy.task", { ms: "soon" })).toBeGreaterThan(0);
  });

  it("refuses a schedule whose arguments the task would refuse", async () => {
    const schedule = (args: string) =>
      store.library.createSchedule({
        name: `nap ${args}`,
        task: "demo.sleep",
        args,
        scheduleType: "minutes",
        minutes: 5,
      });
    const error = await refusal(() => schedule('{"ms":"soon"}'));
    expect(error.field).toBe("args");
    expect(error.message).toContain("args.ms: expected a whole number, got a string");
    expect((await schedule('{"ms":5}')).task).toBe("demo.sleep");
  });
});
