/**
 * Writes validated jobs into the live queue with prepared statements: positional parameters, a
 * lean statement for the common job (every optional column NULL), the unique-key upsert only for
 * a job with a key, and multi-row statements for runs of jobs in a bulk enqueue.
 *
 * Ids: `jobs` has no AUTOINCREMENT (its counter row cost every enqueue one more page write), so
 * every insert names its id: NEXT_JOB_ID, one past the largest id in `jobs`, in `results` (where
 * a finished job keeps its id) and ever deleted from them without a trace (the `job_id_floor`
 * counter, raised by triggers; migration 0006). Each is one descent of a B-tree's right edge. An
 * id is never reused. Every insert also sets `id_scheme` = 1, a NOT NULL column with no default,
 * so a writer that leaves the id to SQLite (an older release) fails rather than take a used id.
 */
import type { Db } from "../client";

/** A validated row ready for insertion (keys are the jobs columns it sets). */
export interface JobValues {
  name: string | null;
  task: string;
  args: string;
  queue: string;
  priority: number;
  group_name: string | null;
  unique_key: string | null;
  run_at: number;
  created_at: number;
  max_attempts: number;
  timeout_ms: number | null;
  hook: string | null;
  retry_of: number | null;
  schedule_id: number | null;
}

/** Rows per multi-row INSERT in a bulk enqueue (at most 1,400 parameters; SQLite allows 32,766). */
export const INSERT_CHUNK_ROWS = 100;

/** The id of the next job; see the header. Read inside the write transaction that inserts it. */
export const NEXT_JOB_ID = `(SELECT max(
    COALESCE((SELECT max(id) FROM jobs), 0),
    COALESCE((SELECT max(id) FROM results), 0),
    COALESCE((SELECT value FROM counters WHERE name = 'job_id_floor'), 0)) + 1)`;

/**
 * How a row is bound: its columns, the placeholders of one row (`single`: its id is NEXT_JOB_ID;
 * `bound`: its id is the row's first parameter), and how to write its values.
 */
interface RowShape {
  columns: string;
  single: string;
  bound: string;
  width: number;
  write(params: unknown[], at: number, r: JobValues): void;
}

/**
 * The shape that binds `fields` in this order after the id; every new job also gets the
 * constant columns state = 'queued', attempts = 0 and id_scheme = 1 (see db/schema.ts).
 */
function rowShape(fields: readonly (keyof JobValues)[]): RowShape {
  const rest = [...fields.map(() => "?"), "'queued'", "0", "1"].join(", ");
  return {
    columns: ["id", ...fields, "state", "attempts", "id_scheme"].join(", "),
    single: `(${NEXT_JOB_ID}, ${rest})`,
    bound: `(?, ${rest})`,
    width: fields.length,
    write(params, at, r) {
      for (let k = 0; k < fields.length; k++) params[at + k] = r[fields[k]!];
    },
  };
}

/** The common job's columns; the others are NULL unless a job sets them. */
const PLAIN_FIELDS = [
  "task",
  "args",
  "queue",
  "priority",
  "run_at",
  "created_at",
  "max_attempts",
] as const;
const OPTIONAL_FIELDS = [
  "name",
  "group_name",
  "unique_key",
  "timeout_ms",
  "hook",
  "retry_of",
  "schedule_id",
] as const;

/** The common job, whose optional columns are all NULL: half the parameters to bind. */
const PLAIN = rowShape(PLAIN_FIELDS);
/** Every column the enqueue side sets. */
const FULL = rowShape([...PLAIN_FIELDS, ...OPTIONAL_FIELDS]);

function isPlain(r: JobValues): boolean {
  for (const field of OPTIONAL_FIELDS) if (r[field] !== null) return false;
  return true;
}

/** One row with the next id, or `rows` rows whose ids are bound. */
function insertSql(shape: RowShape, rows: number | "single"): string {
  const values = rows === "single" ? shape.single : Array(rows).fill(shape.bound).join(", ");
  return `INSERT INTO jobs (${shape.columns}) VALUES ${values}`;
}

const statements = new WeakMap<object, Statements>();

function prepare(db: Db) {
  const sqlite = db.$client;
  return {
    // Without a unique key no conflict is possible, so these need no upsert clause.
    plain: sqlite.prepare(insertSql(PLAIN, "single")),
    plainChunk: sqlite.prepare(insertSql(PLAIN, INSERT_CHUNK_ROWS)),
    full: sqlite.prepare(insertSql(FULL, "single")),
    fullChunk: sqlite.prepare(insertSql(FULL, INSERT_CHUNK_ROWS)),
    unique: sqlite.prepare(
      `${insertSql(FULL, "single")} ON CONFLICT (unique_key) WHERE unique_key IS NOT NULL DO NOTHING`,
    ),
    byUniqueKey: sqlite.prepare(`SELECT id FROM jobs WHERE unique_key = ?`).pluck(),
    nextId: sqlite.prepare(`SELECT ${NEXT_JOB_ID}`).pluck(),
    inTransaction: () => sqlite.inTransaction,
    plainOne: new Array<unknown>(PLAIN.width),
    fullOne: new Array<unknown>(FULL.width),
    plainParams: new Array<unknown>(INSERT_CHUNK_ROWS * (PLAIN.width + 1)),
    fullParams: new Array<unknown>(INSERT_CHUNK_ROWS * (FULL.width + 1)),
  };
}

type Statements = ReturnType<typeof prepare>;

function stmts(db: Db): Statements {
  let s = statements.get(db.$client);
  if (!s) {
    s = prepare(db);
    statements.set(db.$client, s);
  }
  return s;
}

/** Inserts one validated row; returns its id (or the live job's with the same unique key). */
export function insertOne(db: Db, r: JobValues): number {
  return insertRow(stmts(db), r);
}

function insertRow(s: Statements, r: JobValues): number {
  if (isPlain(r)) {
    PLAIN.write(s.plainOne, 0, r);
    return Number(s.plain.run(s.plainOne).lastInsertRowid);
  }
  const params = s.fullOne;
  FULL.write(params, 0, r);
  if (r.unique_key === null) return Number(s.full.run(params).lastInsertRowid);
  const info = s.unique.run(params);
  return info.changes === 1
    ? Number(info.lastInsertRowid)
    : (s.byUniqueKey.get(r.unique_key) as number);
}

/**
 * Inserts rows[from, to), none with a unique key, INSERT_CHUNK_ROWS per statement, with the ids
 * NEXT_JOB_ID and on, read once per chunk: the caller's write transaction keeps every other
 * connection out until it commits.
 */
function insertRun(s: Statements, rows: JobValues[], from: number, to: number, ids: number[]) {
  let i = from;
  if (to - i >= INSERT_CHUNK_ROWS && !s.inTransaction()) {
    throw new Error("insertJobs: a bulk insert must run inside an IMMEDIATE transaction");
  }
  for (; to - i >= INSERT_CHUNK_ROWS; i += INSERT_CHUNK_ROWS) {
    let isChunkPlain = true;
    for (let k = i; k < i + INSERT_CHUNK_ROWS && isChunkPlain; k++)
      isChunkPlain = isPlain(rows[k]!);
    const shape = isChunkPlain ? PLAIN : FULL;
    const params = isChunkPlain ? s.plainParams : s.fullParams;
    const first = s.nextId.get() as number;
    for (let k = 0; k < INSERT_CHUNK_ROWS; k++) {
      const at = k * (shape.width + 1);
      params[at] = ids[i + k] = first + k;
      shape.write(params, at + 1, rows[i + k]!);
    }
    const info = (isChunkPlain ? s.plainChunk : s.fullChunk).run(params);
    if (info.changes !== INSERT_CHUNK_ROWS) {
      throw new Error(`A bulk insert wrote ${info.changes} of ${INSERT_CHUNK_ROWS} jobs`);
    }
  }
  for (; i < to; i++) ids[i] = insertRow(s, rows[i]!);
}

/**
 * Inserts validated rows (inside the caller's transaction, if any; several rows need an IMMEDIATE
 * one, which holds the write lock from the id read on: in a deferred one the read may be stale and
 * the insert then fails with SQLITE_BUSY_SNAPSHOT); returns their ids in order.
 * A row with a unique key that a live job holds gets that job's id; rows go in in input order,
 * so a key repeated within `rows` resolves to its first row.
 */
export function insertJobs(db: Db, rows: JobValues[]): number[] {
  const s = stmts(db);
  if (rows.length === 1) return [insertRow(s, rows[0]!)];
  const ids = new Array<number>(rows.length);
  let from = 0;
  for (let i = 0; i < rows.length; i++) {
    const row = rows[i]!;
    if (row.unique_key === null) continue;
    insertRun(s, rows, from, i, ids);
    ids[i] = insertRow(s, row);
    from = i + 1;
  }
  insertRun(s, rows, from, rows.length, ids);
  return ids;
}
