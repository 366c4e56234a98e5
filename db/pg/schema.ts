/**
 * Jobdeck's tables on PostgreSQL (issue 17): the same tables, columns and meaning as db/schema.ts
 * (read its glossary), which stays the owner of the vocabulary (JOB_STATES, SCHEDULE_TYPES, ...):
 * this file imports those lists and turns each into a CHECK constraint, so a new state is added in
 * one place and drizzle-kit writes the changed CHECK into a migration.
 *
 * Decisions, and why:
 * - Ids: identity columns, never SQLite's "one past the largest id" scheme (that relies on a single
 *   writer). BY DEFAULT rather than ALWAYS, so `jobdeck transfer` can insert rows with the ids they
 *   had on SQLite (and then move each sequence past the largest id it copied). `results.id` is the
 *   job's id and has no identity of its own. `jobs.id_scheme` is kept for the row shape only
 *   (DEFAULT 1, CHECK = 1): the identity already stops an insert without an id from taking a used
 *   one, which is what the column guards against on SQLite; `job_id_floor` is not needed at all.
 * - Times: bigint epoch milliseconds (`*_at`, `*_ms`), as on SQLite, read as JS numbers (db/pg/
 *   client.ts parses int8 with a range guard), so every query and row type keeps one unit. Small
 *   counts (priority, attempts, minutes, pid, ...) are integer.
 * - JSON (args, result, hook, example_args, args_schema, audit before/after): text, not jsonb.
 *   Jobdeck stores and returns the JSON text it was given and never queries inside it; jsonb would
 *   reorder keys, drop duplicates and pay a parse on every enqueue and result write, and the
 *   dashboard's search matches the text as written.
 * - Vocabularies: text + CHECK (values from db/schema.ts), not enum types: adding a value is then an
 *   ordinary migration, and the column reads as a plain string like on SQLite.
 * - `results.error_message` / `error_group`: SQLite computes them as VIRTUAL columns; PostgreSQL
 *   before 18 has only STORED generated columns, and one generated column cannot read another, so
 *   `error_group` repeats the first-line expression. Successes store '' (a few bytes).
 *
 * No hot rows (issue 17). On SQLite, triggers add every result into one `counters` row per state,
 * one `stats_minutely` row per minute and one `failure_groups` row per error; there one writer at a
 * time is the rule anyway. On PostgreSQL that would make every worker's outcome transaction wait
 * for the previous one to commit (the row lock on `counters.success` is held until commit). So:
 * - The three tables are SHARDED: each row carries `shard`, and a writer adds into the shard
 *   `1 + pg_backend_pid() % 64` (jobdeck_count_shard()). Two connections only meet on a row when
 *   their backend pids collide modulo 64; one connection never waits on itself. Readers SUM over
 *   the shards (a few dozen rows per counter, per minute, per error group).
 * - Triggers are per STATEMENT with transition tables, so a batch of outcomes written in one
 *   INSERT ... SELECT adds once per (counter, minute, group) rather than once per row.
 * - jobdeck_fold_counts(), run by upkeep, folds the writers' shards into shard 0 (which writers
 *   never use) and deletes groups and group tasks whose count is 0, so reads stay small.
 * - `failure_groups.last_at` and `example` are not stored: keeping "the newest failure" exact on
 *   delete needs a recompute that would serialise writers again. Readers take them from the newest
 *   failure of the group, one seek on results_failure_group_idx per listed group (the same index
 *   SQLite's triggers use for their recompute).
 * The triggers and jobdeck_fold_counts() are hand-written SQL in the migrations (db/pg/migrations).
 */
import { sql } from "drizzle-orm";
import {
  bigint,
  boolean,
  check,
  doublePrecision,
  index,
  integer,
  pgTable,
  primaryKey,
  text,
  uniqueIndex,
} from "drizzle-orm/pg-core";
import {
  ATTEMPT_OUTCOMES,
  CATCH_UP_POLICIES,
  JOB_STATES,
  LOGIN_ATTEMPT_KINDS,
  RESULT_STATES,
  SCHEDULE_TYPES,
  USER_ROLES,
} from "../schema";

/** Number of writer shards of each maintained count (see the header); shard 0 holds folded counts. */
export const COUNT_SHARDS = 64;

/** `column IN ('a', 'b', ...)` for a vocabulary list (values are our own constants, never input). */
function oneOf(column: string, values: readonly string[]) {
  return sql.raw(`${column} IN (${values.map((v) => `'${v.replace(/'/g, "''")}'`).join(", ")})`);
}

/** Epoch milliseconds (bigint read as a JS number). */
const ms = (name: string) => bigint(name, { mode: "number" });
/** A bigint id or count read as a JS number. */
const int8 = (name: string) => bigint(name, { mode: "number" });

/** The live queue: queued and running jobs only (db/schema.ts `jobs`). */
export const jobs = pgTable(
  "jobs",
  {
    id: int8("id").primaryKey().generatedByDefaultAsIdentity(),
    idScheme: integer("id_scheme").notNull().default(1),
    name: text("name"),
    task: text("task").notNull(),
    args: text("args").notNull().default("null"),
    queue: text("queue").notNull().default("default"),
    priority: integer("priority").notNull().default(0),
    state: text("state", { enum: JOB_STATES }).notNull().default("queued"),
    groupName: text("group_name"),
    uniqueKey: text("unique_key"),
    runAt: ms("run_at").notNull(),
    createdAt: ms("created_at").notNull(),
    attempts: integer("attempts").notNull().default(0),
    maxAttempts: integer("max_attempts"),
    timeoutMs: ms("timeout_ms"),
    lockedBy: text("locked_by"),
    lockedAt: ms("locked_at"),
    leaseExpiresAt: ms("lease_expires_at"),
    claimToken: text("claim_token"),
    startedAt: ms("started_at"),
    firstStartedAt: ms("first_started_at"),
    progress: doublePrecision("progress"),
    progressMessage: text("progress_message"),
    cancelRequestedAt: ms("cancel_requested_at"),
    lastError: text("last_error"),
    hook: text("hook"),
    retryOf: int8("retry_of"),
    scheduleId: int8("schedule_id"),
  },
  (t) => [
    check("jobs_state_check", oneOf("state", JOB_STATES)),
    check("jobs_id_scheme_check", sql`id_scheme = 1`),
    // The claim: WHERE state='queued' AND run_at<=now ORDER BY priority DESC, run_at, id, across
    // all queues or with queue = ANY(...) (db/pg/claim.ts).
    index("jobs_claim_idx")
      .on(t.priority.desc().nullsFirst(), t.runAt, t.id)
      .where(sql`state = 'queued'`),
    index("jobs_claim_queue_idx")
      .on(t.queue, t.priority.desc().nullsFirst(), t.runAt, t.id)
      .where(sql`state = 'queued'`),
    // When the next delayed job comes due (the idle worker's wait).
    index("jobs_due_idx")
      .on(t.runAt)
      .where(sql`state = 'queued' AND run_at > created_at`),
    // Rescue of expired leases scans only running rows.
    index("jobs_lease_idx")
      .on(t.leaseExpiresAt)
      .where(sql`state = 'running'`),
    // One queued-or-running job per unique key.
    uniqueIndex("jobs_unique_key_idx")
      .on(t.uniqueKey)
      .where(sql`unique_key IS NOT NULL`),
    index("jobs_group_idx")
      .on(t.groupName)
      .where(sql`group_name IS NOT NULL`),
  ],
);

/** Finished jobs, with the id the job had (db/schema.ts `results`). */
export const results = pgTable(
  "results",
  {
    id: int8("id").primaryKey(),
    name: text("name"),
    task: text("task").notNull(),
    args: text("args").notNull(),
    queue: text("queue").notNull(),
    priority: integer("priority").notNull(),
    state: text("state", { enum: RESULT_STATES }).notNull(),
    groupName: text("group_name"),
    result: text("result"),
    error: text("error"),
    errorStack: text("error_stack"),
    createdAt: ms("created_at").notNull(),
    startedAt: ms("started_at"),
    stoppedAt: ms("stopped_at").notNull(),
    durationMs: ms("duration_ms"),
    attempts: integer("attempts").notNull(),
    workerId: text("worker_id"),
    retryOf: int8("retry_of"),
    retriedAs: int8("retried_as"),
    retriedAt: ms("retried_at"),
    scheduleId: int8("schedule_id"),
    maxAttempts: integer("max_attempts"),
    timeoutMs: ms("timeout_ms"),
    hook: text("hook"),
    uniqueKey: text("unique_key"),
    /** The first line of `error` ('' when none). STORED: PostgreSQL < 18 has no virtual columns. */
    errorMessage: text("error_message")
      .notNull()
      .generatedAlwaysAs(sql`coalesce(split_part(error, E'\\n', 1), '')`),
    /** The error's fingerprint (db/queries/failure-groups.ts), written with a failure. */
    errorFingerprint: text("error_fingerprint"),
    /** What failures are grouped by: the fingerprint, else the first line (same expression). */
    errorGroup: text("error_group")
      .notNull()
      .generatedAlwaysAs(sql`coalesce(error_fingerprint, split_part(error, E'\\n', 1), '')`),
  },
  (t) => [
    check("results_state_check", oneOf("state", RESULT_STATES)),
    index("results_state_stopped_idx").on(t.state, t.stoppedAt, t.id),
    index("results_state_started_idx").on(t.state, t.startedAt, t.id),
    index("results_state_duration_idx").on(t.state, t.durationMs, t.id),
    index("results_state_attempts_idx").on(t.state, t.attempts, t.id),
    index("results_state_task_stopped_idx").on(t.state, t.task, t.stoppedAt, t.id),
    index("results_state_queue_stopped_idx").on(t.state, t.queue, t.stoppedAt, t.id),
    index("results_group_idx")
      .on(t.groupName, t.stoppedAt)
      .where(sql`group_name IS NOT NULL`),
    index("results_retry_of_idx")
      .on(t.retryOf)
      .where(sql`retry_of IS NOT NULL`),
    index("results_schedule_idx")
      .on(t.scheduleId, t.stoppedAt)
      .where(sql`schedule_id IS NOT NULL`),
    // Failures by group, newest first: the Failures page's filter and each group's newest failure.
    index("results_failure_group_idx")
      .on(t.errorGroup, t.stoppedAt, t.id)
      .where(sql`state = 'failure'`),
  ],
);

/** Every finished or lost attempt of a job. */
export const attempts = pgTable(
  "attempts",
  {
    id: int8("id").primaryKey().generatedByDefaultAsIdentity(),
    jobId: int8("job_id").notNull(),
    attempt: integer("attempt").notNull(),
    workerId: text("worker_id"),
    outcome: text("outcome", { enum: ATTEMPT_OUTCOMES }).notNull(),
    startedAt: ms("started_at").notNull(),
    stoppedAt: ms("stopped_at").notNull(),
    durationMs: ms("duration_ms").notNull(),
    error: text("error"),
    errorStack: text("error_stack"),
  },
  (t) => [
    check("attempts_outcome_check", oneOf("outcome", ATTEMPT_OUTCOMES)),
    index("attempts_job_idx").on(t.jobId, t.attempt),
  ],
);

/** Worker processes: each registers itself and heartbeats here. */
export const workers = pgTable(
  "workers",
  {
    id: text("id").primaryKey(),
    host: text("host").notNull(),
    pid: integer("pid").notNull(),
    concurrency: integer("concurrency").notNull(),
    queues: text("queues").notNull(),
    startedAt: ms("started_at").notNull(),
    lastHeartbeatAt: ms("last_heartbeat_at").notNull(),
    stoppedAt: ms("stopped_at"),
    jobsDone: int8("jobs_done").notNull().default(0),
  },
  (t) => [index("workers_heartbeat_idx").on(t.lastHeartbeatAt)],
);

/** The allowlist of task names the enqueue side accepts. */
export const tasks = pgTable("tasks", {
  name: text("name").primaryKey(),
  description: text("description"),
  exampleArgs: text("example_args"),
  argsSchema: text("args_schema"),
  isBuiltin: boolean("is_builtin").notNull().default(false),
  updatedAt: ms("updated_at").notNull(),
});

/** Periodic schedules. */
export const schedules = pgTable(
  "schedules",
  {
    id: int8("id").primaryKey().generatedByDefaultAsIdentity(),
    name: text("name").notNull(),
    task: text("task").notNull(),
    args: text("args").notNull().default("null"),
    scheduleType: text("schedule_type", { enum: SCHEDULE_TYPES }).notNull(),
    minutes: integer("minutes"),
    cron: text("cron"),
    timezone: text("timezone").notNull().default("UTC"),
    repeats: integer("repeats").notNull().default(-1),
    nextRunAt: ms("next_run_at"),
    isEnabled: boolean("is_enabled").notNull().default(true),
    queue: text("queue").notNull().default("default"),
    priority: integer("priority").notNull().default(0),
    catchUp: text("catch_up", { enum: CATCH_UP_POLICIES }).notNull().default("once"),
    lastRunAt: ms("last_run_at"),
    lastJobId: int8("last_job_id"),
    createdAt: ms("created_at").notNull(),
    updatedAt: ms("updated_at").notNull(),
  },
  (t) => [
    check("schedules_schedule_type_check", oneOf("schedule_type", SCHEDULE_TYPES)),
    check("schedules_catch_up_check", oneOf("catch_up", CATCH_UP_POLICIES)),
    uniqueIndex("schedules_name_idx").on(t.name),
    // The scheduler's query: enabled schedules due now.
    index("schedules_due_idx")
      .on(t.nextRunAt)
      .where(sql`is_enabled`),
  ],
);

/** One row per (schedule, fire time): the key that makes each fire create one job on any host. */
export const scheduleRuns = pgTable(
  "schedule_runs",
  {
    scheduleId: int8("schedule_id")
      .notNull()
      .references(() => schedules.id, { onDelete: "cascade" }),
    fireAt: ms("fire_at").notNull(),
    jobId: int8("job_id").notNull(),
    createdAt: ms("created_at").notNull(),
  },
  (t) => [primaryKey({ columns: [t.scheduleId, t.fireAt] })],
);

/** Results by state, sharded (see the header): the value of a counter is SUM(value) over shards. */
export const counters = pgTable(
  "counters",
  {
    name: text("name").notNull(),
    shard: integer("shard").notNull().default(0),
    value: int8("value").notNull().default(0),
  },
  (t) => [primaryKey({ columns: [t.name, t.shard] })],
);

/** Successes and failures per minute, sharded: a minute's figure is the SUM over its shards. */
export const statsMinutely = pgTable(
  "stats_minutely",
  {
    minute: ms("minute").notNull(),
    shard: integer("shard").notNull().default(0),
    success: int8("success").notNull().default(0),
    failure: int8("failure").notNull().default(0),
  },
  (t) => [primaryKey({ columns: [t.minute, t.shard] })],
);

/**
 * Failures by `results.error_group`, sharded: a group's count and open count are SUMs over its
 * shards (groups summing to 0 are gone after the next fold); its last_at and example come from
 * its newest failure in `results` (see the header).
 */
export const failureGroups = pgTable(
  "failure_groups",
  {
    /** The group key: `results.error_group`. */
    message: text("message").notNull(),
    shard: integer("shard").notNull().default(0),
    count: int8("count").notNull(),
    /** Failures not retried yet (`retried_as IS NULL`). */
    openCount: int8("open_count").notNull(),
  },
  (t) => [primaryKey({ columns: [t.message, t.shard] })],
);

/** The tasks of each failure group with how many of its failures each has, sharded likewise. */
export const failureGroupTasks = pgTable(
  "failure_group_tasks",
  {
    message: text("message").notNull(),
    task: text("task").notNull(),
    shard: integer("shard").notNull().default(0),
    count: int8("count").notNull(),
  },
  (t) => [primaryKey({ columns: [t.message, t.task, t.shard] })],
);

/** Dashboard users. */
export const users = pgTable(
  "users",
  {
    id: int8("id").primaryKey().generatedByDefaultAsIdentity(),
    username: text("username").notNull(),
    passwordHash: text("password_hash").notNull(),
    role: text("role", { enum: USER_ROLES }).notNull().default("admin"),
    createdAt: ms("created_at").notNull(),
    updatedAt: ms("updated_at").notNull(),
  },
  (t) => [
    check("users_role_check", oneOf("role", USER_ROLES)),
    uniqueIndex("users_username_idx").on(t.username),
  ],
);

/** Server-side sessions. */
export const sessions = pgTable(
  "sessions",
  {
    id: text("id").primaryKey(),
    userId: int8("user_id")
      .notNull()
      .references(() => users.id, { onDelete: "cascade" }),
    createdAt: ms("created_at").notNull(),
    expiresAt: ms("expires_at").notNull(),
    lastSeenAt: ms("last_seen_at").notNull(),
  },
  (t) => [index("sessions_user_idx").on(t.userId), index("sessions_expires_idx").on(t.expiresAt)],
);

/** Sign-in attempts, per address and per username, for rate limiting. */
export const loginAttempts = pgTable(
  "login_attempts",
  {
    id: int8("id").primaryKey().generatedByDefaultAsIdentity(),
    address: text("address").notNull(),
    username: text("username").notNull(),
    attemptedAt: ms("attempted_at").notNull(),
    kind: text("kind", { enum: LOGIN_ATTEMPT_KINDS }).notNull().default("attempt"),
  },
  (t) => [
    check("login_attempts_kind_check", oneOf("kind", LOGIN_ATTEMPT_KINDS)),
    index("login_attempts_address_idx").on(t.address, t.attemptedAt),
    index("login_attempts_username_idx").on(t.username, t.attemptedAt),
  ],
);

/** API tokens (only a SHA-256 hash is stored). */
export const apiTokens = pgTable(
  "api_tokens",
  {
    id: int8("id").primaryKey().generatedByDefaultAsIdentity(),
    name: text("name").notNull(),
    tokenHash: text("token_hash").notNull(),
    role: text("role", { enum: USER_ROLES }).notNull().default("admin"),
    createdBy: int8("created_by"),
    createdAt: ms("created_at").notNull(),
    lastUsedAt: ms("last_used_at"),
    revokedAt: ms("revoked_at"),
  },
  (t) => [
    check("api_tokens_role_check", oneOf("role", USER_ROLES)),
    uniqueIndex("api_tokens_hash_idx").on(t.tokenHash),
  ],
);

/** Who did what, when. */
export const auditLog = pgTable(
  "audit_log",
  {
    id: int8("id").primaryKey().generatedByDefaultAsIdentity(),
    at: ms("at").notNull(),
    actor: text("actor").notNull(),
    action: text("action").notNull(),
    target: text("target"),
    before: text("before"),
    after: text("after"),
    address: text("address"),
  },
  (t) => [index("audit_log_at_idx").on(t.at, t.id)],
);

/** Small key/value settings (for example the generated session secret). */
export const settings = pgTable("settings", {
  key: text("key").primaryKey(),
  value: text("value").notNull(),
});
