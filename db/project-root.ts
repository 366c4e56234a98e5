/**
 * The project's root folder: where db/migrations, node_modules and the worker's sources are.
 * worker/run.mjs records it from its own location, so a worker started from any working directory
 * (a service manager's, say) finds its files; otherwise the working directory, as for the npm
 * scripts and the dashboard. Paths in DATABASE_URL stay relative to the working directory.
 *
 * A global, not an environment variable: processes a task starts (another project's CLI, say)
 * must not inherit this project's root.
 */
export function projectRoot(): string {
  return (globalThis as { __jobdeckRoot?: string }).__jobdeckRoot ?? process.cwd();
}
