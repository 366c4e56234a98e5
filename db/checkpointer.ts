/**
 * Checkpoints a database's WAL from a thread of its own, on a timer: the copy of the WAL into the
 * database file and its fsync (milliseconds) never run inside a writer's commit, where they would
 * hold up every job a worker records and every enqueue meanwhile.
 *
 * Each tick runs a PASSIVE checkpoint, which copies what it can while writers go on. Under steady
 * writes that is not enough to keep the WAL small: SQLite starts the log over only when a writer
 * finds every frame copied, and new commits land during each copy. So when the WAL has grown past
 * `restartBytes`, the tick follows with a RESTART checkpoint: it waits for the write lock (up to a
 * second), copies the few frames written since the passive pass, and makes the next commit
 * start the log from its beginning. Writers wait for that short step only.
 */
import { createRequire } from "node:module";
import path from "node:path";
import { Worker } from "node:worker_threads";
import { projectRoot } from "./project-root";

/** WAL size past which a tick forces the log to start over (see above). */
export const CHECKPOINT_RESTART_BYTES = 4 * 1024 * 1024;

// Plain JavaScript, evaluated in the thread: it needs only the driver.
const THREAD = `
const { parentPort, workerData } = require("node:worker_threads");
const Database = require(workerData.driver);
const db = new Database(workerData.file, { fileMustExist: true });
// How long a RESTART may wait for the write lock (between other writers' commits) before it
// gives up until the next tick. Waiting costs nothing but this thread's time.
db.pragma("busy_timeout = 1000");
const restartFrames = Math.ceil(workerData.restartBytes / db.pragma("page_size", { simple: true }));
setInterval(() => {
  try {
    const [passive] = db.pragma("wal_checkpoint(PASSIVE)");
    if (passive.log >= restartFrames) db.pragma("wal_checkpoint(RESTART)");
  } catch (error) {
    parentPort.postMessage(String(error && error.message ? error.message : error));
  }
}, workerData.everyMs);
`;

/** Starts checkpointing `file` every `everyMs`; returns a function that stops it. */
export function startCheckpointer(
  file: string,
  everyMs: number,
  onError: (message: string) => void,
  restartBytes = CHECKPOINT_RESTART_BYTES,
): () => void {
  const driver = createRequire(path.join(projectRoot(), "package.json")).resolve("better-sqlite3");
  const thread = new Worker(THREAD, {
    eval: true,
    workerData: { file, everyMs, driver, restartBytes },
    resourceLimits: { maxYoungGenerationSizeMb: 2 },
  });
  thread.on("message", (message: string) => onError(message));
  thread.on("error", (error) => onError(error.message));
  thread.unref();
  return () => void thread.terminate();
}
