/**
 * `npm run worker`: starts the worker without a TypeScript loader in the process (a loader such
 * as tsx costs every worker ~40 MB and start-up time): runs the bundle worker/bundle.mjs keeps.
 *
 * Plain JavaScript on purpose: it must run before anything can compile TypeScript.
 */
import { createRequire } from "node:module";
import { fileURLToPath } from "node:url";
import { workerBundles } from "./bundle.mjs";

// The project is this file's parent folder, whatever the working directory (db/project-root.ts).
const root = fileURLToPath(new URL("..", import.meta.url));
globalThis.__jobdeckRoot = root;
const bundles = await workerBundles(root);
process.env.JOBDECK_EXECUTOR_BUNDLE = bundles.thread.code;
createRequire(import.meta.url)(bundles.worker.code);
