/** The catalog publishes each task's argument schema, and every enqueue door in db/ checks it. */
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { openDb, type Db } from "@/db/client";
import { InputError } from "@/db/errors";
import { enqueueJob, enqueueJobs } from "@/db/queries/enqueue";
import { createSchedule } from "@/db/queries/schedules";
import { listTasks, syncTaskCatalog } from "@/db/queries/tasks";
import { taskCatalog } from "./index";

let dir: string;
let db: Db;
beforeEach(() => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), "jobdeck-catalog-"));
  db = openDb({ url: path.join(dir, "q.db") });
  syncTaskCatalog(db, taskCatalog());
});
afterEach(() => {
  db.$client.close();
  fs.rmSync(dir, { recursive: true, force: true });
});

const count = () => db.$client.prepare(`SELECT COUNT(*) FROM jobs`).pluck().get();

function refusal(run: () => unknown): InputError {
  try {
    run();
  } catch (error) {
    if (error instanceof InputError) return error;
    throw error;
  }
  throw new Error("expected an InputError");
}

describe("the task catalog", () => {
  it("stores each task's arguments as JSON Schema, and null for a task without a schema", () => {
    const tasks = new Map(listTasks(db).map((t) => [t.name, t]));
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
  it("refuses arguments the task would refuse, naming the argument", () => {
    const error = refusal(() => enqueueJob(db, "demo.sleep", { ms: "soon" }));
    expect(error.field).toBe("args");
    expect(error.message).toBe("args.ms: expected a whole number, got a string (task demo.sleep)");
    expect(refusal(() => enqueueJob(db, "demo.sleep")).message).toContain(
      "args: expected an object, got null",
    );
    expect(count()).toBe(0);
    expect(enqueueJob(db, "demo.sleep", { ms: 10 })).toBeGreaterThan(0);
  });

  it("checks every row of a bulk enqueue and inserts none when one is wrong", () => {
    const good = { task: "demo.sleep", args: { ms: 1 } };
    const error = refusal(() =>
      enqueueJobs(db, [
        good,
        { task: "demo.echo", args: 1 },
        good,
        { task: "demo.sleep", args: { ms: -1 } },
      ]),
    );
    expect(error.message).toBe("job 3: args.ms: expected at least 0, got -1 (task demo.sleep)");
    expect(count()).toBe(0);
    expect(enqueueJobs(db, [good, good, { task: "demo.echo", args: "anything" }])).toHaveLength(3);
  });

  it("accepts any JSON for a task catalogued without a schema (as before schemas)", () => {
    syncTaskCatalog(db, [
      { name: "legacy.task", description: null, exampleArgs: null, isBuiltin: false },
    ]);
    expect(enqueueJob(db, "legacy.task", { ms: "soon" })).toBeGreaterThan(0);
  });

  it("refuses a schedule whose arguments the task would refuse", () => {
    const schedule = (args: string) =>
      createSchedule(db, {
        name: `nap ${args}`,
        task: "demo.sleep",
        args,
        scheduleType: "minutes",
        minutes: 5,
      });
    const error = refusal(() => schedule('{"ms":"soon"}'));
    expect(error.field).toBe("args");
    expect(error.message).toContain("args.ms: expected a whole number, got a string");
    expect(schedule('{"ms":5}').task).toBe("demo.sleep");
  });
});
