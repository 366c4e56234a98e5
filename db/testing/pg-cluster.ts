/**
 * A throwaway PostgreSQL cluster for tests (issue 17): initdb into a temp folder, the Unix socket
 * in that folder, no TCP, no durability (fsync, synchronous_commit and full_page_writes off: a
 * crashed test cluster is thrown away anyway). One cluster per test run, started by vitest's
 * globalSetup (db/testing/pg-global-setup.ts), which hands its socket folder to every vitest worker
 * and every process the tests spawn through JOBDECK_TEST_PG_HOST. Each test file gets its own
 * database, cloned from a migrated template (createTestDatabase), dropped after.
 *
 * PostgreSQL refuses to run as root and CI runs as root: then the cluster runs as the `postgres`
 * user the Debian package creates (`runuser -u postgres --`), in a folder it owns.
 * When PostgreSQL is not installed, tests that need it fail and say how to install it, unless
 * JOBDECK_SKIP_PG=1 (then they are skipped: `describe.skipIf(skipPgTests)`).
 */
import { execFileSync } from "node:child_process";
import { randomBytes } from "node:crypto";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import pg from "pg";

/** Env var holding the running test cluster's socket folder (set by the globalSetup). */
export const PG_HOST_ENV = "JOBDECK_TEST_PG_HOST";
/** Env var holding why no test cluster runs (PostgreSQL missing), set by the globalSetup. */
export const PG_UNAVAILABLE_ENV = "JOBDECK_TEST_PG_UNAVAILABLE";
/** The migrated database every test database is cloned from. */
export const TEMPLATE_DATABASE = "jobdeck_template";
/** Superuser of the test cluster (trust authentication over the socket). */
const SUPERUSER = "postgres";

/** True when JOBDECK_SKIP_PG=1: PostgreSQL tests are skipped instead of failing. */
export const skipPgTests = process.env.JOBDECK_SKIP_PG === "1";

/** What a PostgreSQL test says when PostgreSQL is not installed. */
export const PG_INSTALL_HINT =
  "PostgreSQL is not installed: the PostgreSQL tests need its server binaries. " +
  "Install them with `apt-get install postgresql` (Debian/Ubuntu; the tests start their own " +
  "throwaway cluster, not the system one), point JOBDECK_PG_BIN at a folder holding initdb and " +
  "pg_ctl, or set JOBDECK_SKIP_PG=1 to skip these tests.";

/** A running throwaway cluster. */
export interface PgCluster {
  /** Folder holding the socket (and the data folder `data/`). */
  dir: string;
  /** PostgreSQL's bin folder used. */
  bin: string;
  /** Stops the server and removes its folder. */
  stop(): void;
}

/** The newest PostgreSQL bin folder (JOBDECK_PG_BIN, else /usr/lib/postgresql/<newest>/bin), or null. */
export function findPgBin(): string | null {
  const fromEnv = process.env.JOBDECK_PG_BIN;
  if (fromEnv) return fs.existsSync(path.join(fromEnv, "initdb")) ? fromEnv : null;
  const root = "/usr/lib/postgresql";
  if (!fs.existsSync(root)) return null;
  const versions = fs
    .readdirSync(root)
    .filter((v) => fs.existsSync(path.join(root, v, "bin", "initdb")))
    .sort((a, b) => Number.parseFloat(b) - Number.parseFloat(a));
  return versions[0] ? path.join(root, versions[0], "bin") : null;
}

/** Settings for speed, not durability: never use them for a database you want to keep. */
const TEST_SETTINGS: Record<string, string> = {
  listen_addresses: "''",
  fsync: "off",
  synchronous_commit: "off",
  full_page_writes: "off",
  max_connections: "200",
  shared_buffers: "'128MB'",
  log_min_messages: "warning",
};

/** Runs a PostgreSQL program, as `postgres` when we are root. */
function runPg(bin: string, program: string, args: string[]): void {
  const exe = path.join(bin, program);
  const asRoot = process.getuid?.() === 0;
  const [cmd, argv] = asRoot ? ["runuser", ["-u", SUPERUSER, "--", exe, ...args]] : [exe, args];
  execFileSync(cmd, argv, { stdio: ["ignore", "pipe", "pipe"], cwd: "/" });
}

/** initdb + pg_ctl start into a new temp folder; throws with the install hint when PostgreSQL is missing. */
export function startCluster(): PgCluster {
  const bin = findPgBin();
  if (!bin) throw new Error(PG_INSTALL_HINT);
  // /tmp rather than os.tmpdir(): the postgres user must be able to reach the folder, and the
  // socket path must stay under the 107-byte limit.
  const dir = fs.mkdtempSync(
    path.join(fs.existsSync("/tmp") ? "/tmp" : os.tmpdir(), "jobdeck-pg-"),
  );
  const data = path.join(dir, "data");
  if (process.getuid?.() === 0) execFileSync("chown", [`${SUPERUSER}:`, dir]);
  fs.chmodSync(dir, 0o755);
  fs.writeFileSync(path.join(dir, OWNER_FILE), String(process.pid));
  try {
    runPg(bin, "initdb", [
      "-D",
      data,
      "--no-sync",
      "-A",
      "trust",
      "-U",
      SUPERUSER,
      "-E",
      "UTF8",
      "--locale=C",
    ]);
    const conf = Object.entries({ ...TEST_SETTINGS, unix_socket_directories: `'${dir}'` })
      .map(([k, v]) => `${k} = ${v}`)
      .join("\n");
    fs.appendFileSync(path.join(data, "postgresql.conf"), `\n# jobdeck test cluster\n${conf}\n`);
    runPg(bin, "pg_ctl", [
      "-D",
      data,
      "-l",
      path.join(dir, "server.log"),
      "-w",
      "-t",
      "30",
      "start",
    ]);
  } catch (error) {
    const log = readLog(dir);
    fs.rmSync(dir, { recursive: true, force: true });
    throw new Error(`could not start the test PostgreSQL cluster: ${String(error)}\n${log}`);
  }
  return {
    dir,
    bin,
    stop() {
      try {
        runPg(bin, "pg_ctl", ["-D", data, "-m", "immediate", "-w", "stop"]);
      } finally {
        fs.rmSync(dir, { recursive: true, force: true });
      }
    },
  };
}

const OWNER_FILE = "owner.pid";

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === "EPERM";
  }
}

/**
 * Stops and removes clusters left behind by test runs that died before their teardown (their
 * owner process is gone), so an interrupted run does not leave postgres servers running.
 */
export function sweepStaleClusters(): void {
  const bin = findPgBin();
  const parent = fs.existsSync("/tmp") ? "/tmp" : os.tmpdir();
  for (const name of fs.readdirSync(parent)) {
    if (!name.startsWith("jobdeck-pg-")) continue;
    const dir = path.join(parent, name);
    let owner: number;
    try {
      owner = Number(fs.readFileSync(path.join(dir, OWNER_FILE), "utf8"));
    } catch {
      continue;
    }
    if (!owner || isAlive(owner)) continue;
    try {
      if (bin && fs.existsSync(path.join(dir, "data", "postmaster.pid"))) {
        runPg(bin, "pg_ctl", ["-D", path.join(dir, "data"), "-m", "immediate", "-w", "stop"]);
      }
    } catch {
      // Already stopped: removing the folder is all that is left.
    }
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

function readLog(dir: string): string {
  try {
    return fs.readFileSync(path.join(dir, "server.log"), "utf8").slice(-4000);
  } catch {
    return "";
  }
}

/** postgres:// URL of a database on the cluster whose socket is in `host` (default: this run's). */
export function testDatabaseUrl(database: string, host = clusterHost()): string {
  return `postgresql://${SUPERUSER}@/${database}?host=${encodeURIComponent(host)}`;
}

/** The running test cluster's socket folder; throws a clear message when there is none. */
export function clusterHost(): string {
  const host = process.env[PG_HOST_ENV];
  if (host) return host;
  throw new Error(
    process.env[PG_UNAVAILABLE_ENV] ??
      `no test PostgreSQL cluster: ${PG_HOST_ENV} is unset (run the tests with vitest and the ` +
        "project's vitest.config.ts, whose globalSetup starts one)",
  );
}

/** Runs statements on the cluster's `postgres` database (CREATE/DROP DATABASE cannot be pooled). */
export async function adminQuery(statements: string[], host = clusterHost()): Promise<void> {
  const client = new pg.Client({ connectionString: testDatabaseUrl("postgres", host) });
  await client.connect();
  try {
    for (const statement of statements) await client.query(statement);
  } finally {
    await client.end();
  }
}

/** A fresh database for one test file. */
export interface TestDatabase {
  /** postgres:// URL to open it with. */
  url: string;
  /** Its name. */
  name: string;
  /** Drops it, ending any connection still open on it. */
  drop(): Promise<void>;
}

let created = 0;

/**
 * Creates a fresh database cloned from the migrated template (default), or an empty one with
 * `{ migrated: false }` (to test migrations). Drop it in afterAll.
 */
export async function createTestDatabase(
  options: { migrated?: boolean } = {},
): Promise<TestDatabase> {
  const host = clusterHost();
  const name = `t_${process.pid}_${++created}_${randomBytes(3).toString("hex")}`;
  const template = options.migrated === false ? "template0" : TEMPLATE_DATABASE;
  await adminQuery([`CREATE DATABASE "${name}" TEMPLATE "${template}"`], host);
  return {
    url: testDatabaseUrl(name, host),
    name,
    drop: () => adminQuery([`DROP DATABASE IF EXISTS "${name}" WITH (FORCE)`], host),
  };
}

/** Restarts this run's test cluster (`pg_ctl restart -m fast`), for fault tests. */
export function restartTestCluster(): void {
  const bin = findPgBin();
  if (!bin) throw new Error(PG_INSTALL_HINT);
  const data = path.join(clusterHost(), "data");
  runPg(bin, "pg_ctl", [
    "-D",
    data,
    "-l",
    path.join(clusterHost(), "server.log"),
    "-m",
    "fast",
    "-w",
    "restart",
  ]);
}

/** Terminates every connection to `database` whose application_name starts with `appPrefix`. */
export async function terminateBackends(database: string, appPrefix = ""): Promise<number> {
  const client = new pg.Client({ connectionString: testDatabaseUrl("postgres") });
  await client.connect();
  try {
    const { rows } = await client.query<{ n: string }>(
      `SELECT count(*) FILTER (WHERE pg_terminate_backend(pid)) AS n FROM pg_stat_activity
       WHERE datname = $1 AND application_name LIKE $2 || '%' AND pid <> pg_backend_pid()`,
      [database, appPrefix],
    );
    return Number(rows[0]?.n ?? 0);
  } finally {
    await client.end();
  }
}
