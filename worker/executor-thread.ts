/**
 * The body of one executor thread: runs the jobs of a batch one at a time, off the worker's main
 * event loop, so a task that blocks its thread cannot stop heartbeats; the main thread kills it
 * at its timeout. Outcomes go into the shared result slots (see executor-protocol.ts).
 * Bundled to plain JavaScript by worker/executor-bundle.ts before threads start.
 */
import { parentPort, workerData, type MessagePort } from "node:worker_threads";
import { serializeResult } from "@/db/limits";
import {
  ARMED,
  CLAIM,
  CURRENT,
  genOf,
  indexOf,
  isSealed,
  markPosted,
  sharedViews,
  writeSlot,
  type BatchJob,
  type SlotOutcome,
  type ThreadError,
  type ThreadReply,
  type ThreadRequest,
} from "./executor-protocol";
import { registry, taskCatalog } from "./tasks/index";

const port = parentPort;
if (!port) throw new Error("executor-thread must run in a worker thread");
const { sab, outcomes } = workerData as { sab: SharedArrayBuffer; outcomes: MessagePort };
const v = sharedViews(sab);

/**
 * The running job's abort state. Its AbortController is made only when the task reads
 * `ctx.signal`: most tasks never do, and making one costs more than running a no-op job.
 */
class JobAbort {
  private controller: AbortController | null = null;
  private reason: Error | null = null;

  get signal(): AbortSignal {
    if (!this.controller) {
      this.controller = new AbortController();
      if (this.reason) this.controller.abort(this.reason);
    }
    return this.controller.signal;
  }

  get aborted(): boolean {
    return this.reason !== null;
  }

  abort(reason: Error): void {
    if (this.reason) return;
    this.reason = reason;
    this.controller?.abort(reason);
  }
}

let current: { jobId: number; abort: JobAbort } | null = null;

function toThreadError(error: unknown, abort: JobAbort): ThreadError {
  const e = error instanceof Error ? error : new Error(String(error));
  return {
    name: e.name,
    message: e.message || e.name,
    stack: e.stack ?? null,
    isPermanent: e.name === "PermanentError",
    isAborted: abort.aborted,
  };
}

function post(reply: ThreadReply): void {
  port!.postMessage(reply);
}

function permanent(message: string): Error {
  return Object.assign(new Error(message), { name: "PermanentError" });
}

/** Runs one job; resolves to its result (serialised) or rejects with the task's error. */
async function runJob(job: BatchJob, abort: JobAbort): Promise<string> {
  const def = registry.get(job.task);
  if (!def) throw permanent(`Unknown task "${job.task}": not in this worker's registry`);
  let args = JSON.parse(job.args) as unknown;
  if (def.schema) {
    const parsed = def.schema.safeParse(args);
    if (!parsed.success) {
      const issues = parsed.error.issues.map((i) => `${i.path.join(".") || "args"}: ${i.message}`);
      throw permanent(`Invalid arguments for ${job.task}: ${issues.join("; ")}`);
    }
    args = parsed.data;
  }
  const ctx = {
    jobId: job.jobId,
    attempt: job.attempt,
    get signal() {
      return abort.signal;
    },
    progress(fraction: number, message?: string) {
      const value = Math.min(1, Math.max(0, Number(fraction) || 0));
      post({
        type: "progress",
        jobId: job.jobId,
        value,
        message: message === undefined ? null : String(message).slice(0, 500),
      });
    },
  };
  return serializeResult(await def.run(args as never, ctx));
}

/** Publishes an outcome: in its slot, or as a message when it does not fit. */
function publish(gen: number, outcome: SlotOutcome): void {
  if (!writeSlot(v, outcome)) {
    outcomes.postMessage({ type: "outcome", gen, outcome } satisfies ThreadReply);
    markPosted(v, outcome.index);
  }
  if (Atomics.exchange(v.i32, ARMED, 0) === 1) post({ type: "bell" });
}

async function runBatch(gen: number, jobs: BatchJob[]): Promise<void> {
  for (;;) {
    const word = Atomics.load(v.i32, CLAIM);
    const index = indexOf(word);
    if (genOf(word) !== gen || isSealed(word) || index >= jobs.length) break;
    // The start time is published before the job is taken, so whenever the main thread sees it
    // taken it also sees since when it runs.
    const startedAt = Date.now();
    Atomics.store(v.start, 0, BigInt(startedAt));
    Atomics.store(v.i32, CURRENT, index);
    if (Atomics.compareExchange(v.i32, CLAIM, word, word + 1) !== word) continue; // sealed
    const job = jobs[index]!;
    const abort = new JobAbort();
    current = { jobId: job.jobId, abort };
    let outcome: SlotOutcome;
    try {
      const result = await runJob(job, abort);
      outcome = { index, startedAt, stoppedAt: Date.now(), ok: true, result };
    } catch (error) {
      const e = toThreadError(error, abort);
      outcome = { index, startedAt, stoppedAt: Date.now(), ok: false, error: e };
    }
    current = null;
    publish(gen, outcome);
    Atomics.store(v.i32, CURRENT, -1);
    Atomics.store(v.start, 0, 0n);
  }
  Atomics.store(v.i32, CURRENT, -1);
  Atomics.store(v.start, 0, 0n);
  if (Atomics.exchange(v.i32, ARMED, 0) === 1) post({ type: "bell" });
}

port.on("message", (req: ThreadRequest) => {
  if (req.type === "abort") {
    if (current?.jobId === req.jobId) current.abort.abort(new Error(req.reason));
    return;
  }
  void runBatch(req.gen, req.jobs);
});

post({ type: "ready", catalog: taskCatalog() });
