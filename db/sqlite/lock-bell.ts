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
   * wait, or null if this process cannot watch the bell now (no inotify watch to spare, the file
   * gone): the caller must then poll.
   */
  wait(onRing: () => void): (() => void) | null;
  close(): void;
}

const BYTE = Buffer.from([0x21]);

/** Read-write without O_APPEND, so every ring overwrites byte 0 and the file never grows. */
function openBellFile(file: string): { fd: number; canRing: boolean } | null {
  try {
    const fd = fs.openSync(file, fs.constants.O_RDWR | fs.constants.O_CREAT, 0o666);
    if (fs.fstatSync(fd).size === 0) fs.writeSync(fd, BYTE, 0, 1, 0);
    return { fd, canRing: true };
  } catch {
    // Made by another user's worker, say: this one can still wait for rings, not ring.
    try {
      return { fd: fs.openSync(file, "r"), canRing: false };
    } catch {
      return null;
    }
  }
}

/** Opens (creating it if needed) the bell beside the database file; null if it cannot. */
export function openLockBell(databasePath: string): LockBell | null {
  const file = `${databasePath}-bell`;
  let opened = openBellFile(file);
  if (!opened) return null;
  const waiting = new Set<() => void>();
  let watcher: fs.FSWatcher | null = null;
  let closed = false;

  function unwatch(): void {
    watcher?.close();
    watcher = null;
  }

  function closeFile(): void {
    try {
      if (opened) fs.closeSync(opened.fd);
    } catch {
      // already closed
    }
    opened = null;
  }

  function reopen(): void {
    closeFile();
    opened = openBellFile(file);
  }

  function fire(event?: string): void {
    const listeners = [...waiting];
    waiting.clear();
    unwatch();
    // The file was deleted or replaced: ring and watch the one now at the path.
    if (event === "rename" && !closed) reopen();
    for (const listener of listeners) listener();
  }

  function watchBell(): fs.FSWatcher | null {
    for (let attempt = 0; attempt < 2; attempt++) {
      try {
        const w = fs.watch(file, { persistent: false }, (event) => fire(event));
        // A failing watch wakes its waiters, so that they try the lock rather than wait.
        w.on("error", () => fire("rename"));
        return w;
      } catch {
        // The file is gone (deleted by hand): make it again once; else the caller polls.
        if (attempt === 0) reopen();
      }
    }
    return null;
  }

  return {
    ring() {
      if (closed || !opened?.canRing) return;
      try {
        // Deleted by hand: ring the file now at the path (a stat is about a microsecond).
        if (fs.fstatSync(opened.fd).nlink === 0) reopen();
        if (opened?.canRing) fs.writeSync(opened.fd, BYTE, 0, 1, 0);
      } catch {
        // A missed ring costs a waiter its fallback delay, nothing more.
      }
    },
    wait(onRing) {
      if (closed) return null;
      watcher ??= watchBell();
      if (!watcher) return null;
      waiting.add(onRing);
      return () => {
        waiting.delete(onRing);
        if (waiting.size === 0) unwatch();
      };
    },
    close() {
      closed = true;
      waiting.clear();
      unwatch();
      closeFile();
    },
  };
}
