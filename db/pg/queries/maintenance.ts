/**
 * Demo data, bulk seeding and the benchmarks' read-back on PostgreSQL: the SQL of the
 * maintenance store. The seeded rows' shape is db/queries/seed.ts's (seedResultsSql,
 * seedQueuedSql), generated set-wise by generate_series inside the server: no row crosses into
 * JavaScript, and 1,110,000 rows take seconds.
 */
import type pg from "pg";
import { InputError } from "../../errors";
import { SEEDED_KEY } from "../../queries/demo";
import { toJobValues, type EnqueueInput } from "../../queries/enqueue";
import { errorFingerprint } from "../../queries/failure-groups";
import { newScheduleValues } from "../../queries/schedules";
import {
  SEED_CHUNK,
  SEED_ERRORS,
  seedQueuedSql,
  seedResultsSql,
  type SeedCounts,
} from "../../queries/seed";
import { parseSchedule, type ScheduleInput } from "../../schedule-rules";
import type { ResultState } from "../../schema";
import { DB_NOW_MS, dbNow, pgDrizzle, type Queryable } from "../client";
import { schedules } from "../schema";
import { withTransaction } from "../tx";

/** True when the database has never held a job, result or schedule, and was never seeded. */
export async function isFreshDatabasePg(q: Queryable): Promise<boolean> {
  const { rows } = await q.query<{ used: boolean }>(
    `SELECT EXISTS (SELECT 1 FROM settings WHERE key = $1) OR EXISTS (SELECT 1 FROM jobs)
       OR EXISTS (SELECT 1 FROM results) OR EXISTS (SELECT 1 FROM schedules) AS used`,
    [SEEDED_KEY],
  );
  return !rows[0]!.used;
}

/** Marks the database seeded with the demo (the first mark stays). */
export async function markDemoSeededPg(q: Queryable): Promise<void> {
  await q.query(
    `INSERT INTO settings (key, value) VALUES ($1, (${DB_NOW_MS})::text)
     ON CONFLICT (key) DO NOTHING`,
    [SEEDED_KEY],
  );
}

/**
 * Inserts jobs validated by the library's shared rules (toJobValues), in one transaction, ids in
 * input order. The stand-in for the library store's enqueueMany until the PostgreSQL one exists:
 * it does not check the task allowlist or argument schemas, has no unique keys and sends no
 * NOTIFY (workers find the jobs by polling). The demo's jobs need none of these.
 */
export async function insertValidatedJobsPg(
  pool: pg.Pool,
  inputs: EnqueueInput[],
): Promise<number[]> {
  return withTransaction(pool, async (client) => {
    const now = await dbNow(client);
    const rows = inputs.map((input, i) => {
      try {
        return toJobValues(input, now);
      } catch (error) {
        if (error instanceof InputError)
          throw new InputError(`job ${i}: ${error.message}`, error.field);
        throw error;
      }
    });
    if (rows.some((r) => r.unique_key !== null))
      throw new Error("insertValidatedJobsPg: unique keys need the library store's enqueue");
    const col = <K extends keyof (typeof rows)[number]>(k: K) => rows.map((r) => r[k]);
    const { rows: ids } = await client.query<{ id: number }>(
      `INSERT INTO jobs (name, task, args, queue, priority, group_name, run_at, created_at,
         max_attempts, timeout_ms, hook, retry_of, schedule_id)
       SELECT name, task, args, queue, priority, group_name, run_at, created_at, max_attempts,
         timeout_ms, hook, retry_of, schedule_id
       FROM unnest($1::text[], $2::text[], $3::text[], $4::text[], $5::int[], $6::text[],
         $7::bigint[], $8::bigint[], $9::int[], $10::bigint[], $11::text[], $12::bigint[],
         $13::bigint[]) WITH ORDINALITY AS v(name, task, args, queue, priority, group_name,
         run_at, created_at, max_attempts, timeout_ms, hook, retry_of, schedule_id, ord)
       ORDER BY ord
       RETURNING id`,
      [
        col("name"),
        col("task"),
        col("args"),
        col("queue"),
        col("priority"),
        col("group_name"),
        col("run_at"),
        col("created_at"),
        col("max_attempts"),
        col("timeout_ms"),
        col("hook"),
        col("retry_of"),
        col("schedule_id"),
      ],
    );
    // Identity values are taken in insertion order, which follows `ord`.
    return ids.map((r) => r.id).sort((a, b) => a - b);
  });
}

/** Whether a schedule with this name exists. */
export async function scheduleNameExistsPg(q: Queryable, name: string): Promise<boolean> {
  const { rowCount } = await q.query(`SELECT 1 FROM schedules WHERE name = $1`, [name]);
  return (rowCount ?? 0) > 0;
}

/**
 * Creates a schedule from the shared rules (parseSchedule, newScheduleValues) unless one of its
 * name exists; true when it created it. The stand-in for the library store's createSchedule
 * until the PostgreSQL one exists (it does not check the task allowlist or argument schemas).
 */
export async function insertScheduleIfMissingPg(
  pool: pg.Pool,
  input: ScheduleInput,
  now: number,
): Promise<boolean> {
  const values = newScheduleValues(parseSchedule(input), now);
  const created = await pgDrizzle(pool)
    .insert(schedules)
    .values(values)
    .onConflictDoNothing({ target: schedules.name })
    .returning({ id: schedules.id });
  return created.length > 0;
}

/** The fingerprints of SEED_ERRORS for x = 0 … 27: they depend on x % 4 and x % 7 only (numbers become `<num>`). */
async function seedFingerprints(q: Queryable): Promise<(string | null)[]> {
  const { rows } = await q.query<{ e: string }>(
    `SELECT ${SEED_ERRORS} AS e FROM generate_series(0::bigint, 27) AS c(x) ORDER BY x`,
  );
  return rows.map((r) => errorFingerprint(r.e));
}

const RESULTS_SQL = (() => {
  const sql = seedResultsSql({
    id: "($5::bigint[])[x + 1]",
    n: "$1::bigint",
    state: "$2::text",
    now: "$3::bigint",
    fingerprint: () => "($4::text[])[x % 28 + 1]",
  });
  return `INSERT INTO results (${sql.columns})
    SELECT ${sql.values} FROM generate_series(0::bigint, $1::bigint - 1) AS c(x)`;
})();

const QUEUED_SQL = (() => {
  const sql = seedQueuedSql({ id: "($3::bigint[])[x + 1]", now: "$2::bigint" });
  return `INSERT INTO jobs (${sql.columns})
    SELECT ${sql.values} FROM generate_series(0::bigint, $1::bigint - 1) AS c(x)`;
})();

/** One seeding statement (autocommit: each chunk commits on its own, as on SQLite); its ids are added last. */
type Chunk = { sql: string; n: number; params: unknown[] };

/** Takes `n` ids from the jobs' identity, ascending (other writers may take ids meanwhile: fine). */
async function takeIds(q: Queryable, n: number): Promise<unknown[]> {
  // Handed straight back as a parameter: an int8[] is read as strings, which is fine here.
  const { rows } = await q.query<{ ids: unknown[] }>(
    `SELECT array_agg(id ORDER BY id) AS ids
     FROM (SELECT nextval('jobs_id_seq') AS id FROM generate_series(1, $1::int)) AS t`,
    [n],
  );
  return rows[0]!.ids;
}

function resultChunks(
  count: number,
  state: ResultState,
  now: number,
  fingerprints: (string | null)[],
): Chunk[] {
  const chunks: Chunk[] = [];
  for (let done = 0; done < count; done += SEED_CHUNK) {
    const n = Math.min(SEED_CHUNK, count - done);
    chunks.push({
      sql: RESULTS_SQL,
      n,
      params: [n, state, now - (count - done - n) * 900, fingerprints],
    });
  }
  return chunks;
}

/**
 * Adds the given numbers of successes, failures and (delayed by an hour) queued jobs: the same
 * rows as on SQLite. Each chunk's ids are taken from the jobs' identity in order first, so ids
 * follow the rows' order as they do on SQLite; then chunks of 100,000 rows run on two connections
 * at once (the counts triggers add per statement into per-connection shards, so they do not
 * wait on each other; index upkeep is most of the time, and it uses both cores).
 */
export async function seedRowsPg(pool: pg.Pool, counts: SeedCounts, now?: number): Promise<void> {
  const at = now ?? (await dbNow(pool));
  const fingerprints = counts.failures > 0 ? await seedFingerprints(pool) : [];
  const chunks = [
    ...resultChunks(counts.successes, "success", at, fingerprints),
    ...resultChunks(counts.failures, "failure", at, fingerprints),
  ];
  for (let done = 0; done < counts.queued; done += SEED_CHUNK) {
    const n = Math.min(SEED_CHUNK, counts.queued - done);
    chunks.push({ sql: QUEUED_SQL, n, params: [n, at] });
  }
  for (const chunk of chunks) chunk.params.push(await takeIds(pool, chunk.n));
  let next = 0;
  const lane = async () => {
    while (next < chunks.length) {
      const chunk = chunks[next++]!;
      await pool.query(chunk.sql, chunk.params);
    }
  };
  await Promise.all([lane(), lane()]);
}

/** Jobs/s from the first start to the last stop recorded in results (seeded rows excluded). */
export async function measureThroughputPg(q: Queryable): Promise<number> {
  const { rows } = await q.query<{ c: number; a: number; b: number }>(
    `SELECT count(*) AS c, min(started_at) AS a, max(stopped_at) AS b FROM results
     WHERE lower(worker_id COLLATE "C") NOT LIKE 'seed:%'`,
  );
  const r = rows[0]!;
  return r.c / ((r.b - r.a) / 1000);
}

/** How long each of these jobs waited between enqueue and start (ms), for those recorded. */
export async function measurePickupDelaysPg(q: Queryable, ids: number[]): Promise<number[]> {
  if (ids.length === 0) return [];
  const { rows } = await q.query<{ d: number }>(
    `SELECT started_at - created_at AS d FROM results WHERE id = ANY($1::bigint[]) ORDER BY id`,
    [ids],
  );
  return rows.map((r) => r.d);
}
