/**
 * Checkpoints a database's WAL from a thread of its own, on a timer: the copy of the WAL into the
 * database file and its fsync (tens of milliseconds) never block the caller's event loop, where
 * they would delay every job a worker picks up meanwhile. PASSIVE: writers and readers go on
 * during it, and it skips what they still use.
 */
import { createRequire } from "node:module";
import path from "node:path";
import { Worker } from "node:worker_threads";

// Plain JavaScript, evaluated in the thread: it needs only the driver.
const THREAD = `
const { parentPort, workerData } = require("node:worker_threads");
const Database = require(workerData.driver);
const db = new Database(workerData.file, { fileMustExist: true });
db.pragma("busy_timeout = 5000");
setInterval(() => {
  try {
    db.pragma("wal_checkpoint(PASSIVE)");
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
): () => void {
  const driver = createRequire(path.join(process.cwd(), "package.json")).resolve("better-sqlite3");
  const thread = new Worker(THREAD, {
    eval: true,
    workerData: { file, everyMs, driver },
    resourceLimits: { maxYoungGenerationSizeMb: 2 },
  });
  thread.on("message", (message: string) => onError(message));
  thread.on("error", (error) => onError(error.message));
  thread.unref();
  return () => void thread.terminate();
}
