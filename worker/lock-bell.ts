/**
 * The write-lock bell: how a worker that found SQLite's write lock taken learns, without
 * polling, that the holder let it go.
 *
 * A worker that commits a write round rings the bell (writes one byte to `<database>-bell`).
 * A worker whose `BEGIN IMMEDIATE` met a busy lock waits for the next ring (an inotify watch on
 * that file, open only while it waits) and tries again then, with a timer as the fallback for
 * holders that do not ring (an enqueue, the dashboard, a process on an older release).
 *
 * Retrying every millisecond instead cost four workers on two cores about 1,500 failed attempts
 * each per 100,000 jobs, and every one woke a process that then took a core from the holder.
 * The bell brings that to a few hundred. The byte is never read: the write is the signal.
 */
import fs from "node:fs";

export interface LockBell {
  /** Tells waiting workers the write lock is free (call right after a commit). */
  ring(): void;
  /**
   * Calls `onRing` once, at the next ring by any process; returns a function that cancels the
   * wait. Without a watch (inotify unavailable or out of watches) it never calls: the caller's
   * fallback timer must cover that.
   */
  wait(onRing: () => void): () => void;
  close(): void;
}

const BYTE = Buffer.from([0x21]);

/** Opens (creating it if needed) the bell beside the database file; null if it cannot. */
export function openLockBell(databasePath: string): LockBell | null {
  const file = `${databasePath}-bell`;
  let fd: number;
  try {
    // Read-write without O_APPEND: every ring overwrites byte 0, so the file never grows.
    fd = fs.openSync(file, fs.constants.O_RDWR | fs.constants.O_CREAT, 0o666);
    if (fs.fstatSync(fd).size === 0) fs.writeSync(fd, BYTE, 0, 1, 0);
  } catch {
    return null;
  }
  const waiting = new Set<() => void>();
  let watcher: fs.FSWatcher | null = null;

  function unwatch(): void {
    watcher?.close();
    watcher = null;
  }

  function fire(): void {
    const listeners = [...waiting];
    waiting.clear();
    unwatch();
    for (const listener of listeners) listener();
  }

  return {
    ring() {
      try {
        fs.writeSync(fd, BYTE, 0, 1, 0);
      } catch {
        // A missed ring costs a waiter its fallback delay, nothing more.
      }
    },
    wait(onRing) {
      waiting.add(onRing);
      if (!watcher) {
        try {
          watcher = fs.watch(file, { persistent: false }, fire);
          watcher.on("error", unwatch);
        } catch {
          watcher = null;
        }
      }
      return () => {
        waiting.delete(onRing);
        if (waiting.size === 0) unwatch();
      };
    },
    close() {
      waiting.clear();
      unwatch();
      try {
        fs.closeSync(fd);
      } catch {
        // already closed
      }
    },
  };
}
