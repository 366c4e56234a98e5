/**
 * Bundles the worker (worker/index.ts) and its executor thread (worker/executor-thread.ts) to
 * plain JavaScript with esbuild, once: a manifest of their source files' sizes and modification
 * times lets later calls reuse the bundles without running esbuild. Packages stay external
 * (required from node_modules). Used by worker/run.mjs, and by worker/executor-bundle.ts when the
 * worker runs through a TypeScript loader (development, tests).
 *
 * Plain JavaScript on purpose: it must run before anything can compile TypeScript.
 */
import { createHash } from "node:crypto";
import fs from "node:fs";
import path from "node:path";

const ENTRIES = { worker: "worker/index.ts", thread: "worker/executor-thread.ts" };

/** The manifest's bundles, if every source they were built from is unchanged. */
function cachedBundles(root, manifestFile) {
  let manifest;
  try {
    manifest = JSON.parse(fs.readFileSync(manifestFile, "utf8"));
  } catch {
    return null;
  }
  if (manifest.node !== process.version) return null;
  for (const [file, { size, mtimeMs }] of Object.entries(manifest.inputs)) {
    try {
      const stat = fs.statSync(path.join(root, file));
      if (stat.size !== size || stat.mtimeMs !== mtimeMs) return null;
    } catch {
      return null;
    }
  }
  const outputs = Object.values(manifest.bundles).flatMap((b) => [b.code, b.map]);
  return outputs.every((f) => fs.existsSync(f)) ? manifest.bundles : null;
}

/** Writes a file by rename, so workers starting together never read a half-written file. */
function writeAtomic(file, contents) {
  const tmp = `${file}.${process.pid}.tmp`;
  fs.writeFileSync(tmp, contents);
  fs.renameSync(tmp, file);
}

async function buildBundles(root, cacheDir, manifestFile) {
  const { build, stop } = await import("esbuild");
  const out = await build({
    entryPoints: ENTRIES,
    absWorkingDir: root,
    outdir: cacheDir,
    bundle: true,
    platform: "node",
    // CommonJS, so packages needed only by lazily imported modules load on first use.
    format: "cjs",
    target: "node20",
    packages: "external",
    tsconfig: path.join(root, "tsconfig.json"),
    write: false,
    sourcemap: "external",
    metafile: true,
    logLevel: "silent",
  });
  await stop();
  fs.mkdirSync(cacheDir, { recursive: true });
  const bundles = {};
  for (const name of Object.keys(ENTRIES)) {
    const code = out.outputFiles.find((f) => f.path === path.join(cacheDir, `${name}.js`));
    const map = out.outputFiles.find((f) => f.path === path.join(cacheDir, `${name}.js.map`));
    const hash = createHash("sha256").update(code.contents).digest("hex").slice(0, 16);
    const codeFile = path.join(cacheDir, `${name}.${hash}.cjs`);
    const mapFile = `${codeFile}.map`;
    if (!fs.existsSync(codeFile)) {
      writeAtomic(mapFile, map.contents);
      writeAtomic(
        codeFile,
        `${code.text.replace(/\/\/# sourceMappingURL=.*\s*$/, "")}//# sourceMappingURL=${path.basename(mapFile)}\n`,
      );
    }
    bundles[name] = { code: codeFile, map: mapFile };
  }
  const inputs = {};
  for (const file of [...Object.keys(out.metafile.inputs), "tsconfig.json", "package.json"]) {
    const stat = fs.statSync(path.join(root, file));
    inputs[file] = { size: stat.size, mtimeMs: stat.mtimeMs };
  }
  writeAtomic(manifestFile, JSON.stringify({ node: process.version, inputs, bundles }));
  return bundles;
}

/**
 * The worker and thread bundles for the project at `root` ({ code, map } file paths each),
 * built now unless the cached ones are current.
 */
export async function workerBundles(root = process.cwd()) {
  const cacheDir = path.join(root, "node_modules/.cache/jobdeck");
  const manifestFile = path.join(cacheDir, "worker-bundles.json");
  return cachedBundles(root, manifestFile) ?? (await buildBundles(root, cacheDir, manifestFile));
}
