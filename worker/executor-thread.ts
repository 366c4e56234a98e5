/**
 * The body of one executor thread: runs one job at a time, off the worker's main event loop, so a
 * task that blocks its thread cannot stop heartbeats; the main thread kills it at its timeout.
 * Bundled to plain JavaScript by worker/executor-bundle.ts before threads start.
 */
import { parentPort } from "node:worker_threads";
import { serializeResult } from "@/db/limits";
import type { ThreadRequest, ThreadReply, ThreadError } from "./executor-protocol";
import { registry } from "./tasks/index";

const port = parentPort;
if (!port) throw new Error("executor-thread must run in a worker thread");

let current: { jobId: number; controller: AbortController } | null = null;

function toThreadError(error: unknown, signal: AbortSignal): ThreadError {
  const e = error instanceof Error ? error : new Error(String(error));
  return {
    name: e.name,
    message: e.message || e.name,
    stack: e.stack ?? null,
    isPermanent: e.name === "PermanentError",
    isAborted: signal.aborted,
  };
}

function post(reply: ThreadReply): void {
  port!.postMessage(reply);
}

async function run(req: Extract<ThreadRequest, { type: "run" }>): Promise<void> {
  const controller = new AbortController();
  current = { jobId: req.jobId, controller };
  const { signal } = controller;
  try {
    const def = registry.get(req.task);
    if (!def)
      throw Object.assign(new Error(`Unknown task "${req.task}": not in this worker's registry`), {
        name: "PermanentError",
      });
    let args = JSON.parse(req.args) as unknown;
    if (def.schema) {
      const parsed = def.schema.safeParse(args);
      if (!parsed.success) {
        const issues = parsed.error.issues.map(
          (i) => `${i.path.join(".") || "args"}: ${i.message}`,
        );
        throw Object.assign(new Error(`Invalid arguments for ${req.task}: ${issues.join("; ")}`), {
          name: "PermanentError",
        });
      }
      args = parsed.data;
    }
    const ctx = {
      jobId: req.jobId,
      attempt: req.attempt,
      signal,
      progress(fraction: number, message?: string) {
        const value = Math.min(1, Math.max(0, Number(fraction) || 0));
        post({
          type: "progress",
          jobId: req.jobId,
          value,
          message: message === undefined ? null : String(message).slice(0, 500),
        });
      },
    };
    const result = await def.run(args as never, ctx);
    post({ type: "done", jobId: req.jobId, ok: true, result: serializeResult(result) });
  } catch (error) {
    post({ type: "done", jobId: req.jobId, ok: false, error: toThreadError(error, signal) });
  } finally {
    current = null;
  }
}

port.on("message", (req: ThreadRequest) => {
  if (req.type === "abort") {
    if (current?.jobId === req.jobId) current.controller.abort(new Error(req.reason));
    return;
  }
  void run(req);
});

post({ type: "ready" });
