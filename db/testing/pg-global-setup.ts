/**
 * vitest globalSetup: starts this run's throwaway PostgreSQL cluster (db/testing/pg-cluster.ts),
 * migrates its template database, and exports the socket folder to every vitest worker and the
 * processes tests spawn (JOBDECK_TEST_PG_HOST); stops and removes it at teardown. Without
 * PostgreSQL, or when the cluster or its migrations fail, the run goes on (SQLite tests need
 * nothing) and every PostgreSQL test fails with the reason; JOBDECK_SKIP_PG=1 starts nothing.
 */
import {
  PG_HOST_ENV,
  PG_INSTALL_HINT,
  PG_UNAVAILABLE_ENV,
  TEMPLATE_DATABASE,
  adminQuery,
  findPgBin,
  skipPgTests,
  startCluster,
  sweepStaleClusters,
  testDatabaseUrl,
  type PgCluster,
} from "./pg-cluster";
import { migratePg } from "../pg/migrate";

/** Starts the cluster; returns the teardown that stops it. */
export default async function setup(): Promise<(() => void) | undefined> {
  if (skipPgTests || process.env[PG_HOST_ENV]) return undefined;
  if (!findPgBin()) {
    process.env[PG_UNAVAILABLE_ENV] = PG_INSTALL_HINT;
    return undefined;
  }
  sweepStaleClusters();
  const started = Date.now();
  let cluster: PgCluster | null = null;
  try {
    cluster = startCluster();
    await adminQuery([`CREATE DATABASE "${TEMPLATE_DATABASE}"`], cluster.dir);
    await migratePg(testDatabaseUrl(TEMPLATE_DATABASE, cluster.dir));
  } catch (error) {
    cluster?.stop();
    // Only the PostgreSQL tests need the cluster: they fail with this; the rest of the run goes on.
    process.env[PG_UNAVAILABLE_ENV] =
      `the test PostgreSQL cluster did not start: ${(error as Error).stack ?? String(error)}`;
    return undefined;
  }
  process.env[PG_HOST_ENV] = cluster.dir;
  if (process.env.JOBDECK_PG_TIMING === "1") {
    console.log(`test PostgreSQL cluster ready in ${Date.now() - started} ms at ${cluster.dir}`);
  }
  return () => {
    delete process.env[PG_HOST_ENV];
    cluster.stop();
  };
}
