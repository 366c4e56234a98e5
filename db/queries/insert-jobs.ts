/**
 * Writes validated jobs into the live queue with prepared statements: positional parameters, a
 * lean statement for the common job (every optional column NULL), the unique-key upsert only for
 * a job with a key, and multi-row statements for runs of jobs in a bulk enqueue.
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

/** How a row is bound: its columns, one row's placeholders, and how to write its values. */
interface RowShape {
  columns: string;
  placeholders: string;
  width: number;
  write(params: unknown[], at: number, r: JobValues): void;
}

/** Every column the enqueue side sets. */
const FULL: RowShape = {
  columns: `name, task, args, queue, priority, state, group_name, unique_key, run_at, created_at,
    attempts, max_attempts, timeout_ms, hook, retry_of, schedule_id`,
  placeholders: `(?, ?, ?, ?, ?, 'queued', ?, ?, ?, ?, 0, ?, ?, ?, ?, ?)`,
  width: 14,
  write(params, at, r) {
    params[at] = r.name;
    params[at + 1] = r.task;
    params[at + 2] = r.args;
    params[at + 3] = r.queue;
    params[at + 4] = r.priority;
    params[at + 5] = r.group_name;
    params[at + 6] = r.unique_key;
    params[at + 7] = r.run_at;
    params[at + 8] = r.created_at;
    params[at + 9] = r.max_attempts;
    params[at + 10] = r.timeout_ms;
    params[at + 11] = r.hook;
    params[at + 12] = r.retry_of;
    params[at + 13] = r.schedule_id;
  },
};

/** The common job, whose optional columns are all NULL: half the parameters to bind. */
const PLAIN: RowShape = {
  columns: `task, args, queue, priority, state, run_at, created_at, attempts, max_attempts`,
  placeholders: `(?, ?, ?, ?, 'queued', ?, ?, 0, ?)`,
  width: 7,
  write(params, at, r) {
    params[at] = r.task;
    params[at + 1] = r.args;
    params[at + 2] = r.queue;
    params[at + 3] = r.priority;
    params[at + 4] = r.run_at;
    params[at + 5] = r.created_at;
    params[at + 6] = r.max_attempts;
  },
};

function isPlain(r: JobValues): boolean {
  return (
    r.name === null &&
    r.group_name === null &&
    r.unique_key === null &&
    r.timeout_ms === null &&
    r.hook === null &&
    r.retry_of === null &&
    r.schedule_id === null
  );
}

function insertSql(shape: RowShape, rows: number): string {
  return `INSERT INTO jobs (${shape.columns}) VALUES ${Array(rows).fill(shape.placeholders).join(", ")}`;
}

const statements = new WeakMap<object, Statements>();

function prepare(db: Db) {
  const sqlite = db.$client;
  return {
    // Without a unique key no conflict is possible, so these need no upsert clause.
    plain: sqlite.prepare(insertSql(PLAIN, 1)),
    plainChunk: sqlite.prepare(insertSql(PLAIN, INSERT_CHUNK_ROWS)),
    full: sqlite.prepare(insertSql(FULL, 1)),
    fullChunk: sqlite.prepare(insertSql(FULL, INSERT_CHUNK_ROWS)),
    unique: sqlite.prepare(
      `${insertSql(FULL, 1)} ON CONFLICT (unique_key) WHERE unique_key IS NOT NULL DO NOTHING`,
    ),
    byUniqueKey: sqlite.prepare(`SELECT id FROM jobs WHERE unique_key = ?`).pluck(),
    plainParams: new Array<unknown>(INSERT_CHUNK_ROWS * PLAIN.width),
    fullParams: new Array<unknown>(INSERT_CHUNK_ROWS * FULL.width),
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
    const info = s.plain.run(
      r.task,
      r.args,
      r.queue,
      r.priority,
      r.run_at,
      r.created_at,
      r.max_attempts,
    );
    return Number(info.lastInsertRowid);
  }
  const params = new Array<unknown>(FULL.width);
  FULL.write(params, 0, r);
  if (r.unique_key === null) return Number(s.full.run(params).lastInsertRowid);
  const info = s.unique.run(params);
  return info.changes === 1
    ? Number(info.lastInsertRowid)
    : (s.byUniqueKey.get(r.unique_key) as number);
}

/**
 * Inserts rows[from, to), none with a unique key, INSERT_CHUNK_ROWS per statement. A chunk's ids
 * are consecutive: one statement, no conflict possible, the write lock keeps other connections
 * out, no trigger inserts into jobs, and AUTOINCREMENT gives each row the largest id so far plus
 * one. So a row's id is the
 * statement's last id minus its distance from the chunk's end.
 */
function insertRun(s: Statements, rows: JobValues[], from: number, to: number, ids: number[]) {
  let i = from;
  for (; to - i >= INSERT_CHUNK_ROWS; i += INSERT_CHUNK_ROWS) {
    let isChunkPlain = true;
    for (let k = i; k < i + INSERT_CHUNK_ROWS && isChunkPlain; k++)
      isChunkPlain = isPlain(rows[k]!);
    const shape = isChunkPlain ? PLAIN : FULL;
    const params = isChunkPlain ? s.plainParams : s.fullParams;
    for (let k = 0; k < INSERT_CHUNK_ROWS; k++) shape.write(params, k * shape.width, rows[i + k]!);
    const info = (isChunkPlain ? s.plainChunk : s.fullChunk).run(params);
    if (info.changes !== INSERT_CHUNK_ROWS) {
      throw new Error(`A bulk insert wrote ${info.changes} of ${INSERT_CHUNK_ROWS} jobs`);
    }
    const first = Number(info.lastInsertRowid) - INSERT_CHUNK_ROWS + 1;
    for (let k = 0; k < INSERT_CHUNK_ROWS; k++) ids[i + k] = first + k;
  }
  for (; i < to; i++) ids[i] = insertRow(s, rows[i]!);
}

/**
 * Inserts validated rows (inside the caller's transaction, if any); returns their ids in order.
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
