/** Test helper: how many inotify watches a process holds (the lock bell and WAL watch tests). */
import fs from "node:fs";

/** How many inotify watches a process holds (Linux: its inotify descriptors' fdinfo). */
export function inotifyWatches(pid: number | "self"): number {
  let count = 0;
  for (const fd of fs.readdirSync(`/proc/${pid}/fd`)) {
    try {
      if (fs.readlinkSync(`/proc/${pid}/fd/${fd}`) !== "anon_inode:inotify") continue;
      count += fs.readFileSync(`/proc/${pid}/fdinfo/${fd}`, "utf8").split("inotify wd:").length - 1;
    } catch {
      // closed meanwhile
    }
  }
  return count;
}
