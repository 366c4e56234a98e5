/**
 * The idle worker's wake-up path on SQLite: every commit by any process writes the WAL file, and a
 * change watch on it (inotify) tells the worker to look at once, so an idle worker neither sleeps
 * through a new job nor burns CPU polling fast. If the watch cannot be set, polling remains.
 */
import fs from "node:fs";

/** Watches `<databasePath>-wal`, calling `onChange` on each write; returns a function that stops. */
export function watchWal(databasePath: string, onChange: () => void): () => void {
  try {
    const watcher = fs.watch(`${databasePath}-wal`, { persistent: false }, onChange);
    watcher.on("error", () => watcher.close());
    return () => watcher.close();
  } catch {
    return () => undefined;
  }
}
