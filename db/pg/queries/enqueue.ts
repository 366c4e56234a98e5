/**
 * Enqueue on PostgreSQL: the task catalog's checks and the insert into the live queue. Validation
 * is db/queries/enqueue.ts's (toJobValues), the catalog's messages db/queries/tasks.ts's; only
 * the SQL is here. Ids come from the identity column; a unique key is held by the partial unique
 * index `jobs_unique_key_idx`, so concurrent enqueues of one key on any host get one job.
 */
import type pg from "pg";
import {
  taskNamesOf,
  toJobValues,
  toJobValuesList,
  type EnqueueInput,
  type EnqueueOptions,
} from "../../queries/enqueue";
import type { JobValues } from "../../queries/insert-jobs";
import {
  assertArgsMatchCatalog,
  assertNamesInCatalog,
  CATALOG_MAX_AGE_MS,
} from "../../queries/tasks";
import { dbNow, type Queryable } from "../client";
import { withTransaction } from "../tx";

interface Catalog {
  schemas: Map<string, string | null>;
  loadedAt: number;
}

const catalogs = new WeakMap<object, Catalog>();

/** Reads the task catalog afresh for `db` (after a sync, so enqueue follows at once). */
export async function loadCatalog(db: Queryable): Promise<Catalog> {
  const { rows } = await db.query<{ name: string; args_schema: string | null }>(
    `SELECT name, args_schema FROM tasks`,
  );
  const catalog = {
    schemas: new Map(rows.map((r) => [r.name, r.args_schema])),
    loadedAt: Date.now(),
  };
  catalogs.set(db, catalog);
  return catalog;
}

async function currentCatalog(db: Queryable): Promise<Catalog> {
  const catalog = catalogs.get(db);
  if (catalog && Date.now() - catalog.loadedAt < CATALOG_MAX_AGE_MS) return catalog;
  return loadCatalog(db);
}

/**
 * Throws InputError unless every name is a catalogued task and each job's arguments match its
 * task's schema (as db/queries/tasks.ts on SQLite: cached per pool, re-read on a miss).
 */
export async function assertTasksPg(
  db: Queryable,
  names: string[],
  jobs: readonly { task: string; args: string }[],
  numbered = false,
): Promise<void> {
  let { schemas } = await currentCatalog(db);
  if (!names.every((n) => schemas.has(n))) {
    schemas = (await loadCatalog(db)).schemas;
    assertNamesInCatalog(schemas, names);
  }
  assertArgsMatchCatalog(schemas, jobs, numbered);
}

/**
 * The jobs columns an enqueue sets (JobValues' keys; a new one is a compile error here) with their
 * types for unnest.
 */
const FIELD_TYPES: Record<keyof JobValues, string> = {
  name: "text",
  task: "text",
  args: "text",
  queue: "text",
  priority: "int",
  group_name: "text",
  unique_key: "text",
  run_at: "bigint",
  created_at: "bigint",
  max_attempts: "int",
  timeout_ms: "bigint",
  hook: "text",
  retry_of: "bigint",
  schedule_id: "bigint",
};
const FIELDS = Object.entries(FIELD_TYPES) as [keyof JobValues, string][];
const COLUMNS = FIELDS.map(([f]) => f).join(", ");

/** The channel a new queued job is announced on, its queue the payload (LISTEN: the worker store). */
export const JOBS_CHANNEL = "jobdeck_jobs";

/**
 * `insert` (an INSERT INTO jobs without RETURNING) returning the new ids in order, with one NOTIFY
 * on JOBS_CHANNEL per queue it wrote to, not per row. PostgreSQL delivers them at commit and folds
 * equal ones within a transaction, so a bulk enqueue wakes idle workers once per queue.
 */
function announcing(insert: string): string {
  return `WITH ins AS (${insert} RETURNING id, queue),
    woke AS MATERIALIZED (
      SELECT pg_notify('${JOBS_CHANNEL}', queue) FROM (SELECT DISTINCT queue FROM ins) AS q)
  SELECT id FROM ins WHERE (SELECT count(*) FROM woke) >= 0 ORDER BY id`;
}

/** Many rows without unique keys: one statement; identity ids come in row order. */
const INSERT_MANY = announcing(`INSERT INTO jobs (${COLUMNS}, state, attempts)
    SELECT ${COLUMNS}, 'queued', 0 FROM unnest(${FIELDS.map(([, t], i) => `$${i + 1}::${t}[]`).join(", ")})
      WITH ORDINALITY AS x(${COLUMNS}, ord)
    ORDER BY ord`);

const INSERT_ONE = `INSERT INTO jobs (${COLUMNS}, state, attempts)
  VALUES (${FIELDS.map((_, i) => `$${i + 1}`).join(", ")}, 'queued', 0)`;

/** One row without a unique key. */
const INSERT_SINGLE = announcing(INSERT_ONE);

/** A job with a unique key: a live job holding the key stands for it. */
const INSERT_UNIQUE = announcing(`${INSERT_ONE}
  ON CONFLICT (unique_key) WHERE unique_key IS NOT NULL DO NOTHING`);

/**
 * Announces jobs put back in `queues` without an insert (a requeue, a rescue, an unclaim) on
 * JOBS_CHANNEL, one NOTIFY per queue (delivered when the caller's transaction commits).
 */
export async function notifyQueuesPg(db: Queryable, queues: Iterable<string>): Promise<void> {
  const list = [...new Set(queues)];
  if (list.length === 0) return;
  await db.query(`SELECT pg_notify('${JOBS_CHANNEL}', q) FROM unnest($1::text[]) AS q`, [list]);
}

function values(r: JobValues): unknown[] {
  return FIELDS.map(([f]) => r[f]);
}

/** Inserts one row with a unique key; returns its id or the live job's holding the key. */
async function insertUnique(db: Queryable, r: JobValues): Promise<number> {
  for (let tries = 0; ; tries++) {
    const inserted = await db.query<{ id: number }>(INSERT_UNIQUE, values(r));
    if (inserted.rows[0]) return inserted.rows[0].id;
    // The holder may have ended between the conflict and this read: then try the insert again.
    const held = await db.query<{ id: number }>(`SELECT id FROM jobs WHERE unique_key = $1`, [
      r.unique_key,
    ]);
    if (held.rows[0]) return held.rows[0].id;
    if (tries >= 10) throw new Error(`enqueue: unique key "${r.unique_key}" kept changing hands`);
  }
}

async function insertRun(
  db: Queryable,
  rows: JobValues[],
  ids: number[],
  from: number,
  to: number,
) {
  if (to === from) return;
  if (to - from === 1) {
    const { rows: out } = await db.query<{ id: number }>(INSERT_SINGLE, values(rows[from]!));
    ids[from] = out[0]!.id;
    return;
  }
  const params = FIELDS.map(([f]) => rows.slice(from, to).map((r) => r[f]));
  const { rows: out } = await db.query<{ id: number }>(INSERT_MANY, params);
  if (out.length !== to - from)
    throw new Error(`A bulk insert wrote ${out.length} of ${to - from} jobs`);
  out.forEach((r, k) => (ids[from + k] = r.id));
}

/**
 * Inserts validated rows (inside the caller's transaction when several); returns their ids in
 * order. A row with a unique key a live job holds gets that job's id; rows go in in input order,
 * so a key repeated within `rows` resolves to its first row (as insertJobs on SQLite).
 */
export async function insertJobsPg(db: Queryable, rows: JobValues[]): Promise<number[]> {
  const ids = new Array<number>(rows.length);
  let from = 0;
  for (let i = 0; i < rows.length; i++) {
    const row = rows[i]!;
    if (row.unique_key === null) continue;
    await insertRun(db, rows, ids, from, i);
    ids[i] = await insertUnique(db, row);
    from = i + 1;
  }
  await insertRun(db, rows, ids, from, rows.length);
  return ids;
}

/**
 * Validates one job (database clock unless `now` is given) and checks it against the catalog read
 * through `pool`; returns the row to insert.
 */
export async function enqueueValues(
  pool: Queryable,
  task: string,
  args?: unknown,
  options?: EnqueueOptions,
  now?: number,
): Promise<JobValues> {
  const row = toJobValues({ task, args, options }, now ?? (await dbNow(pool)));
  await assertTasksPg(pool, taskNamesOf([row]), [row]);
  return row;
}

/** Enqueues one job of a registered task; returns its id (or the live job's with the same uniqueKey). */
export async function enqueueJobPg(
  pool: pg.Pool,
  task: string,
  args?: unknown,
  options?: EnqueueOptions,
): Promise<number> {
  const row = await enqueueValues(pool, task, args, options);
  return (await insertJobsPg(pool, [row]))[0]!;
}

/** Enqueues many jobs in one transaction; all or none. Returns the ids in input order. */
export async function enqueueJobsPg(pool: pg.Pool, inputs: EnqueueInput[]): Promise<number[]> {
  if (!Array.isArray(inputs)) toJobValuesList(inputs, 0); // throws the usual InputError
  const rows = toJobValuesList(inputs, await dbNow(pool));
  await assertTasksPg(pool, taskNamesOf(rows), rows, true);
  if (rows.length === 0) return [];
  return withTransaction(pool, (client) => insertJobsPg(client, rows));
}
