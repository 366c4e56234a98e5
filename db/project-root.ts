/**
 * The project's root folder: where db/migrations, node_modules and the worker's sources are.
 * worker/run.mjs sets JOBDECK_ROOT from its own location, so a worker started from any working
 * directory (a service manager's, say) finds its files; otherwise the working directory, as for
 * the npm scripts and the dashboard. Paths in DATABASE_URL stay relative to the working directory.
 */
export function projectRoot(): string {
  return process.env.JOBDECK_ROOT || process.cwd();
}
