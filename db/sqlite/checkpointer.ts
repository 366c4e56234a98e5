/**
 * Checkpoints a database's WAL from a thread of its own, on a timer: the copy of the WAL into the
 * database file and its fsync (milliseconds) never run inside a writer's commit, where they would
 * hold up every job a worker records and every enqueue meanwhile.
 *
 * Each tick runs a PASSIVE checkpoint, which copies what it can while writers go on. Under steady
 * writes that is not enough to keep the WAL small: SQLite starts the log over only when a writer
 * finds every frame copied, and new commits land during each copy. So when the WAL has grown past
 * `restartBytes` and the passive pass copied all of it, the tick follows with a RESTART
 * checkpoint, which takes the write lock, copies the few frames written since, and makes the next
 * commit start the log from its beginning.
 *
 * A RESTART also waits for every reader to leave the log, holding the write lock meanwhile, so it
 * runs without a busy handler: it gives up at once when the lock is taken or a reader is still on
 * the log, and is tried a few times a millisecond apart. Writers wait for it a few milliseconds at
 * most, even while someone keeps a read transaction open. When every try fails, the next ticks
 * skip it, for longer each time (up to 16 ticks), until one succeeds. A passive pass that could not
 * copy everything means a reader still needs older frames: then no RESTART is tried.
 */
import { createRequire } from "node:module";
import path from "node:path";
import { Worker } from "node:worker_threads";
import { projectRoot } from "../project-root";

/** WAL size past which a tick forces the log to start over (see above). */
export const CHECKPOINT_RESTART_BYTES = 4 * 1024 * 1024;

// Plain JavaScript, evaluated in the thread: it needs only the driver.
const THREAD = `
const { parentPort, workerData } = require("node:worker_threads");
const Database = require(workerData.driver);
const db = new Database(workerData.file, { fileMustExist: true, timeout: 0 });
const restartFrames = Math.ceil(workerData.restartBytes / db.pragma("page_size", { simple: true }));
const pause = new Int32Array(new SharedArrayBuffer(4));
const TRIES = 20;
const MAX_SKIP = 16;
let skip = 0;
let backoff = 1;

function restart() {
  for (let i = 0; i < TRIES; i++) {
    if (db.pragma("wal_checkpoint(RESTART)")[0].busy === 0) return true;
    Atomics.wait(pause, 0, 0, 1);
  }
  return false;
}

function tick() {
  try {
    const [passive] = db.pragma("wal_checkpoint(PASSIVE)");
    if (passive.log >= restartFrames && passive.checkpointed === passive.log) {
      if (skip > 0) skip--;
      else if (restart()) backoff = 1;
      else {
        skip = backoff;
        backoff = Math.min(MAX_SKIP, backoff * 2);
      }
    }
  } catch (error) {
    parentPort.postMessage(String(error && error.message ? error.message : error));
  }
  setTimeout(tick, workerData.everyMs);
}
setTimeout(tick, workerData.everyMs);
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
