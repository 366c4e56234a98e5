/**
 * Bundles worker/executor-thread.ts (with the task registry) into one plain ES module with
 * esbuild, so executor threads start fast and light without a TypeScript loader in each thread.
 * The file name carries a hash of its content; it is written by rename, so workers starting
 * together never read a half-written file. The source map stays in the main thread, which maps
 * task error stacks back to worker/tasks/*.ts (cheaper than every thread parsing it).
 */
import { createHash } from "node:crypto";
import fs from "node:fs";
import { SourceMap, type SourceMapPayload } from "node:module";
import path from "node:path";

/** The bundle's path and a function that maps stack frames in it back to the TypeScript sources. */
export interface ExecutorBundle {
  path: string;
  remapStack(stack: string): string;
}

/**
 * The executor bundle: the one worker/run.mjs built (JOBDECK_EXECUTOR_BUNDLE, with its map next
 * to it), else built now (a worker started through a TypeScript loader, as in development).
 */
export async function buildExecutorBundle(root = process.cwd()): Promise<ExecutorBundle> {
  const prebuilt = process.env.JOBDECK_EXECUTOR_BUNDLE;
  if (prebuilt) {
    const mapText = fs.readFileSync(`${prebuilt}.map`, "utf8");
    return withRemap(prebuilt, mapText, root, path.dirname(prebuilt));
  }
  const { build } = await import("esbuild");
  const out = await build({
    entryPoints: [path.join(root, "worker/executor-thread.ts")],
    // CommonJS so that packages needed only by lazily imported modules (the database client
    // for jobdeck.prune) are required on first use, not loaded by every thread at start.
    outfile: path.join(root, "executor-thread.cjs"),
    bundle: true,
    platform: "node",
    format: "cjs",
    target: "node20",
    packages: "external",
    tsconfig: path.join(root, "tsconfig.json"),
    write: false,
    sourcemap: "external",
    logLevel: "silent",
  });
  const code = out.outputFiles.find((f) => f.path.endsWith(".cjs"))!.contents;
  const mapText = out.outputFiles.find((f) => f.path.endsWith(".map"))!.text;
  const hash = createHash("sha256").update(code).digest("hex").slice(0, 16);
  const dir = path.join(root, "node_modules/.cache/jobdeck");
  const file = path.join(dir, `executor-thread.${hash}.cjs`);
  if (!fs.existsSync(file)) {
    fs.mkdirSync(dir, { recursive: true });
    const tmp = `${file}.${process.pid}.tmp`;
    fs.writeFileSync(tmp, code);
    fs.renameSync(tmp, file);
  }
  return withRemap(file, mapText, root, root);
}

/** The bundle at `file` with a stack remapper from its map (sources relative to `mapDir`). */
function withRemap(file: string, mapText: string, root: string, mapDir: string): ExecutorBundle {
  const map = new SourceMap(JSON.parse(mapText) as SourceMapPayload);
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
