/**
 * The executor thread's bundle (worker/executor-thread.ts with the task registry, built by
 * worker/bundle.mjs), so executor threads start fast and light without a TypeScript loader in
 * each thread. The source map stays in the main thread, which maps task error stacks back to
 * worker/tasks/*.ts (cheaper than every thread parsing it).
 */
import fs from "node:fs";
import { SourceMap, type SourceMapPayload } from "node:module";
import path from "node:path";
import { projectRoot } from "@/db/project-root";

/** The bundle's path and a function that maps stack frames in it back to the TypeScript sources. */
export interface ExecutorBundle {
  path: string;
  remapStack(stack: string): string;
}

/**
 * The executor bundle: the one worker/run.mjs had built (JOBDECK_EXECUTOR_BUNDLE), else the one
 * worker/bundle.mjs keeps (a worker or test run through a TypeScript loader). Its map lies next
 * to it.
 */
export async function buildExecutorBundle(root = projectRoot()): Promise<ExecutorBundle> {
  const file =
    process.env.JOBDECK_EXECUTOR_BUNDLE ??
    (await (await import("./bundle.mjs")).workerBundles(root)).thread.code;
  return withRemap(file, `${file}.map`, root, path.dirname(file));
}

/**
 * The bundle at `file` with a stack remapper from its map (sources relative to `mapDir`). The map
 * is read and parsed when a stack first needs it, not at start: most workers never see a failing
 * task, and parsing it costs every worker start tens of milliseconds of CPU. A map that cannot be
 * read leaves stacks as the thread reported them.
 */
function withRemap(file: string, mapFile: string, root: string, mapDir: string): ExecutorBundle {
  let map: SourceMap | null | undefined;
  const loadMap = (): SourceMap | null => {
    try {
      return new SourceMap(JSON.parse(fs.readFileSync(mapFile, "utf8")) as SourceMapPayload);
    } catch {
      return null;
    }
  };
  // Threads report the real path (node_modules may be a link).
  const real = fs.realpathSync(file);
  const frame = new RegExp(
    `(?:file://)?${real.replace(/[.*+?^${}()|[\]\\]/g, "\\$&")}:(\\d+):(\\d+)`,
    "g",
  );
  return {
    path: file,
    remapStack: (stack) =>
      stack.replace(frame, (whole, line: string, column: string) => {
        if (map === undefined) map = loadMap();
        if (!map) return whole;
        const entry = map.findEntry(Number(line) - 1, Number(column) - 1) as {
          originalSource?: string;
          originalLine?: number;
          originalColumn?: number;
        };
        if (!entry.originalSource) return whole;
        const source = path.relative(root, path.resolve(mapDir, entry.originalSource));
        return `${source}:${entry.originalLine! + 1}:${entry.originalColumn! + 1}`;
      }),
  };
}
