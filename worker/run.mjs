/**
 * `npm run worker`: starts the worker without a TypeScript loader in the process (a loader such
 * as tsx costs every worker ~40 MB and start-up time): runs the bundle worker/bundle.mjs keeps.
 *
 * Plain JavaScript on purpose: it must run before anything can compile TypeScript.
 */
import { createRequire } from "node:module";
import { workerBundles } from "./bundle.mjs";

const bundles = await workerBundles();
process.env.JOBDECK_EXECUTOR_BUNDLE = bundles.thread.code;
createRequire(import.meta.url)(bundles.worker.code);
