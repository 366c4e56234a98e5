/**
 * Bundles worker/executor-thread.ts (with the task registry) into one plain ES module with
 * esbuild, so executor threads start fast and light without a TypeScript loader in each thread.
 * The file name carries a hash of its content; it is written by rename, so workers starting
 * together never read a half-written file.
 */
import { createHash } from "node:crypto";
import fs from "node:fs";
import path from "node:path";
import { build } from "esbuild";

/** Builds (or reuses) the executor bundle and returns its absolute path. */
export async function buildExecutorBundle(root = process.cwd()): Promise<string> {
  const out = await build({
    entryPoints: [path.join(root, "worker/executor-thread.ts")],
    bundle: true,
    platform: "node",
    format: "esm",
    target: "node20",
    packages: "external",
    tsconfig: path.join(root, "tsconfig.json"),
    write: false,
    // Stacks of task errors point at worker/tasks/*.ts, not at the bundle.
    sourcemap: "inline",
    sourceRoot: root,
    logLevel: "silent",
  });
  const code = out.outputFiles[0]!.contents;
  const hash = createHash("sha256").update(code).digest("hex").slice(0, 16);
  const dir = path.join(root, "node_modules/.cache/jobdeck");
  const file = path.join(dir, `executor-thread.${hash}.mjs`);
  if (!fs.existsSync(file)) {
    fs.mkdirSync(dir, { recursive: true });
    const tmp = `${file}.${process.pid}.tmp`;
    fs.writeFileSync(tmp, code);
    fs.renameSync(tmp, file);
  }
  return file;
}
