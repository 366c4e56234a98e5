/**
 * Jobdeck's tables.
 *
 * Glossary
 * - task: a registered function with a stable dotted name (`emails.welcome`). The `tasks` table
 *   is the allowlist the enqueue side checks; workers keep it in sync with their registry.
 * - job: one request to run a task with JSON arguments. A job lives in `jobs` (the live queue:
 *   queued or running) until it ends; then it moves, with the same id, to `results`.
 * - attempt: one run of a job by a worker. `jobs.attempts` grows when a job is *claimed*, so a run
 *   cut short by a crash still counts; every finished or lost attempt gets a row in `attempts`.
 * - lease: a claimed job belongs to the claiming worker until `lease_expires_at`; heartbeats renew
 *   it. Every write by that worker carries `claim_token`, so a worker that lost its lease changes
 *   nothing.
 * - states: see JOB_STATES and RESULT_STATES below.
 *
 * Timestamps are integer milliseconds since the Unix epoch everywhere (`*_at` columns).
 */
import { sql } from "drizzle-orm";
import {
  index,
  integer,
  primaryKey,
  real,
  sqliteTable,
  text,
  uniqueIndex,
} from "drizzle-orm/sqlite-core";

/**
 * States of a row in the live queue.
 * - queued: waiting for `run_at` and a free worker (also a job waiting to be retried).
 * - running: claimed by `locked_by` until `lease_expires_at`.
 * Transitions: queued -> running (claim); running -> queued (retry with backoff, lease expired,
 * graceful release); running -> results (success or final failure); queued -> results (cancel).
 */
export const JOB_STATES = ["queued", "running"] as const;
export type JobState = (typeof JOB_STATES)[number];

/**
 * States of a finished job in `results`.
 * - success: the task returned; `result` holds its JSON.
 * - failure: attempts ran out, a PermanentError, a timeout on the last attempt, or a cancel.
 */
export const RESULT_STATES = ["success", "failure"] as const;
export type ResultState = (typeof RESULT_STATES)[number];

/** Where a job is, live or finished: what getJob's `status` and the state badges say. */
export const JOB_STATUSES = [...JOB_STATES, ...RESULT_STATES] as const;
export type JobStatus = (typeof JOB_STATUSES)[number];

/** How an attempt ended. `lost`: the worker died or its lease expired before it wrote back. */
export const ATTEMPT_OUTCOMES = ["success", "error", "timeout", "lost", "cancelled"] as const;
export type AttemptOutcome = (typeof ATTEMPT_OUTCOMES)[number];

/** Django-Q's schedule types plus cron. */
export const SCHEDULE_TYPES = [
  "once",
  "minutes",
  "hourly",
  "daily",
  "weekly",
  "biweekly",
  "monthly",
  "bimonthly",
  "quarterly",
  "yearly",
  "cron",
] as const;
export type ScheduleType = (typeof SCHEDULE_TYPES)[number];

/** What a schedule does about runs missed while no scheduler ran: fire once, or every one. */
export const CATCH_UP_POLICIES = ["once", "all"] as const;
export type CatchUpPolicy = (typeof CATCH_UP_POLICIES)[number];

/** Dashboard roles: an admin may change things, a viewer may only look. */
export const USER_ROLES = ["admin", "viewer"] as const;
export type UserRole = (typeof USER_ROLES)[number];

/** The live queue: queued and running jobs only, so it stays small and hot. */
export const jobs = sqliteTable(
  "jobs",
  {
    // Ids are never reused (a finished job keeps its id in `results`), yet without AUTOINCREMENT,
    // whose counter row costs every enqueue one more page write: a new job takes one past the
    // largest id in `jobs`, in `results` and ever deleted from `results` (the `job_id_floor`
    // counter, raised by a trigger), see NEXT_JOB_ID in db/queries/insert-jobs.ts.
    id: integer("id").primaryKey(),
    // Always 1: the id was named by NEXT_JOB_ID. NOT NULL with no default, so an insert that
    // leaves the id to SQLite (a process on a release from before this scheme, a hand-written
    // INSERT), which could be given a finished job's id, fails instead. Free, unlike a trigger.
    idScheme: integer("id_scheme").notNull(),
    name: text("name"),
    task: text("task").notNull(),
    args: text("args").notNull().default("null"),
    queue: text("queue").notNull().default("default"),
    priority: integer("priority").notNull().default(0),
    state: text("state", { enum: JOB_STATES }).notNull().default("queued"),
    groupName: text("group_name"),
    uniqueKey: text("unique_key"),
    runAt: integer("run_at").notNull(),
    createdAt: integer("created_at").notNull(),
    attempts: integer("attempts").notNull().default(0),
    maxAttempts: integer("max_attempts"),
    timeoutMs: integer("timeout_ms"),
    lockedBy: text("locked_by"),
    lockedAt: integer("locked_at"),
    leaseExpiresAt: integer("lease_expires_at"),
    claimToken: text("claim_token"),
    startedAt: integer("started_at"),
    firstStartedAt: integer("first_started_at"),
    progress: real("progress"),
    progressMessage: text("progress_message"),
    cancelRequestedAt: integer("cancel_requested_at"),
    lastError: text("last_error"),
    hook: text("hook"),
    retryOf: integer("retry_of"),
    scheduleId: integer("schedule_id"),
  },
  (t) => [
    // These two serve the claim: WHERE state='queued' AND run_at<=? ORDER BY priority DESC,
    // run_at, id -- across all queues (the default), or with `queue IN (...)` (--queues).
    index("jobs_claim_idx")
      .on(sql`priority DESC`, t.runAt, t.id)
      .where(sql`state = 'queued'`),
    index("jobs_claim_queue_idx")
      .on(t.queue, sql`priority DESC`, t.runAt, t.id)
      .where(sql`state = 'queued'`),
    // When the next delayed job (or retry) comes due: the idle worker's wait. Only jobs created
    // to run later enter it, so an enqueue to run now writes one index page less; "anything
    // due?" is the claim index's first due row.
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

/** Finished jobs (Django-Q's Task): successes and failures, with the same id the job had. */
export const results = sqliteTable(
  "results",
  {
    id: integer("id").primaryKey(),
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
    createdAt: integer("created_at").notNull(),
    startedAt: integer("started_at"),
    stoppedAt: integer("stopped_at").notNull(),
    durationMs: integer("duration_ms"),
    attempts: integer("attempts").notNull(),
    workerId: text("worker_id"),
    retryOf: integer("retry_of"),
    retriedAs: integer("retried_as"),
    retriedAt: integer("retried_at"),
    scheduleId: integer("schedule_id"),
    // The job's own settings, kept so a retry carries them over (db/lifecycle.ts, JOB_SETTINGS)
    // and the job page shows them. NULL on rows finished before they were kept.
    maxAttempts: integer("max_attempts"),
    timeoutMs: integer("timeout_ms"),
    hook: text("hook"),
    uniqueKey: text("unique_key"),
    /**
     * The first line of `error` ('' when none): what failures are grouped and filtered by.
     * Virtual: computed when read (the example of a failure group), so adding it
     * rewrote no rows.
     */
    errorMessage: text("error_message").generatedAlwaysAs(
      sql`ifnull(substr(error, 1, instr(error || char(10), char(10)) - 1), '')`,
      { mode: "virtual" },
    ),
    /**
     * The error's fingerprint (db/queries/failure-groups.ts: numbers, ids, hex and quoted values
     * replaced), written with a failure by the statements that record one; null for successes.
     */
    errorFingerprint: text("error_fingerprint"),
    /**
     * What failures are grouped and filtered by: the fingerprint, or the first line for a failure
     * written without one (by a tool other than Jobdeck). Virtual, stored only in
     * results_failure_group_idx.
     */
    errorGroup: text("error_group").generatedAlwaysAs(
      sql`ifnull(error_fingerprint, error_message)`,
      {
        mode: "virtual",
      },
    ),
  },
  (t) => [
    // Each list's default sort and its keyset: newest stopped first.
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
    // Failures by group, newest first: serves the Failures page's "error" filter (a group's
    // link) and the failure_groups triggers' last_at recompute. Partial, so recording a success
    // never computes or stores a group.
    index("results_failure_group_idx")
      .on(t.errorGroup, t.stoppedAt, t.id)
      .where(sql`state = 'failure'`),
  ],
);

/** Every finished or lost attempt of a job (the job may still be queued or already in results). */
export const attempts = sqliteTable(
  "attempts",
  {
    id: integer("id").primaryKey({ autoIncrement: true }),
    jobId: integer("job_id").notNull(),
    attempt: integer("attempt").notNull(),
    workerId: text("worker_id"),
    outcome: text("outcome", { enum: ATTEMPT_OUTCOMES }).notNull(),
    startedAt: integer("started_at").notNull(),
    stoppedAt: integer("stopped_at").notNull(),
    durationMs: integer("duration_ms").notNull(),
    error: text("error"),
    errorStack: text("error_stack"),
  },
  (t) => [index("attempts_job_idx").on(t.jobId, t.attempt)],
);

/** Worker processes: each registers itself and heartbeats here. */
export const workers = sqliteTable(
  "workers",
  {
    id: text("id").primaryKey(),
    host: text("host").notNull(),
    pid: integer("pid").notNull(),
    concurrency: integer("concurrency").notNull(),
    queues: text("queues").notNull(),
    startedAt: integer("started_at").notNull(),
    lastHeartbeatAt: integer("last_heartbeat_at").notNull(),
    stoppedAt: integer("stopped_at"),
    jobsDone: integer("jobs_done").notNull().default(0),
  },
  (t) => [index("workers_heartbeat_idx").on(t.lastHeartbeatAt)],
);

/** The allowlist of task names the enqueue side accepts; workers sync it from their registry. */
export const tasks = sqliteTable("tasks", {
  name: text("name").primaryKey(),
  description: text("description"),
  // JSON example of the arguments, shown in the dashboard's enqueue form.
  exampleArgs: text("example_args"),
  // JSON Schema of the arguments (from the task's zod schema); enqueue checks arguments against
  // it. NULL: the task declares no schema (or was catalogued before schemas were), so no check.
  argsSchema: text("args_schema"),
  isBuiltin: integer("is_builtin", { mode: "boolean" }).notNull().default(false),
  updatedAt: integer("updated_at").notNull(),
});

/** Periodic schedules (Django-Q's Schedule). */
export const schedules = sqliteTable(
  "schedules",
  {
    id: integer("id").primaryKey({ autoIncrement: true }),
    name: text("name").notNull(),
    task: text("task").notNull(),
    args: text("args").notNull().default("null"),
    scheduleType: text("schedule_type", { enum: SCHEDULE_TYPES }).notNull(),
    minutes: integer("minutes"),
    cron: text("cron"),
    timezone: text("timezone").notNull().default("UTC"),
    repeats: integer("repeats").notNull().default(-1),
    nextRunAt: integer("next_run_at"),
    isEnabled: integer("is_enabled", { mode: "boolean" }).notNull().default(true),
    queue: text("queue").notNull().default("default"),
    priority: integer("priority").notNull().default(0),
    catchUp: text("catch_up", { enum: CATCH_UP_POLICIES }).notNull().default("once"),
    lastRunAt: integer("last_run_at"),
    lastJobId: integer("last_job_id"),
    createdAt: integer("created_at").notNull(),
    updatedAt: integer("updated_at").notNull(),
  },
  (t) => [
    uniqueIndex("schedules_name_idx").on(t.name),
    // The scheduler's query: enabled schedules due now.
    index("schedules_due_idx")
      .on(t.nextRunAt)
      .where(sql`is_enabled = 1`),
  ],
);

/** One row per (schedule, fire time): the unique key that makes each fire create one job. */
export const scheduleRuns = sqliteTable(
  "schedule_runs",
  {
    scheduleId: integer("schedule_id")
      .notNull()
      .references(() => schedules.id, { onDelete: "cascade" }),
    fireAt: integer("fire_at").notNull(),
    jobId: integer("job_id").notNull(),
    createdAt: integer("created_at").notNull(),
  },
  (t) => [primaryKey({ columns: [t.scheduleId, t.fireAt] })],
);

/** Counters maintained by triggers on write, so no page counts millions of rows. */
export const counters = sqliteTable("counters", {
  name: text("name").primaryKey(),
  value: integer("value").notNull().default(0),
});

/** Successes and failures per minute (maintained by triggers), for the Overview chart. */
export const statsMinutely = sqliteTable(
  "stats_minutely",
  {
    minute: integer("minute").notNull(),
    success: integer("success").notNull().default(0),
    failure: integer("failure").notNull().default(0),
  },
  (t) => [primaryKey({ columns: [t.minute] })],
);

/**
 * Failures grouped by `results.error_group` (the error's fingerprint), maintained by triggers on
 * `results` (migrations failure_groups_triggers, failure_fingerprints), so the Failures page reads
 * a few rows instead of grouping every failure. A group whose count drops to 0 is deleted.
 */
export const failureGroups = sqliteTable(
  "failure_groups",
  {
    /** The group key: `results.error_group`. */
    message: text("message").primaryKey(),
    /** The first line of the group's newest failure's error when it arrived, shown as an example. */
    example: text("example").notNull().default(""),
    count: integer("count").notNull(),
    /** Failures not retried yet (`retried_as IS NULL`). */
    openCount: integer("open_count").notNull(),
    /** Newest `stopped_at` in the group; exact: recomputed when the newest one goes. */
    lastAt: integer("last_at").notNull(),
  },
  // Serves listFailureGroups: most unresolved first, walked in order and cut at the limit.
  (t) => [
    index("failure_groups_list_idx").on(
      sql`open_count DESC`,
      sql`count DESC`,
      sql`last_at DESC`,
      t.message,
    ),
  ],
);

/** The tasks of each failure group, with how many of its failures each has (same triggers). */
export const failureGroupTasks = sqliteTable(
  "failure_group_tasks",
  {
    message: text("message").notNull(),
    task: text("task").notNull(),
    count: integer("count").notNull(),
  },
  (t) => [primaryKey({ columns: [t.message, t.task] })],
);

/** Dashboard users. Passwords are scrypt hashes (`scrypt$N$r$p$salt$hash`). */
export const users = sqliteTable(
  "users",
  {
    id: integer("id").primaryKey({ autoIncrement: true }),
    username: text("username").notNull(),
    passwordHash: text("password_hash").notNull(),
    role: text("role", { enum: USER_ROLES }).notNull().default("admin"),
    createdAt: integer("created_at").notNull(),
    updatedAt: integer("updated_at").notNull(),
  },
  (t) => [uniqueIndex("users_username_idx").on(t.username)],
);

/** Server-side sessions; the cookie holds the id, signed. Rows are deleted at sign-out. */
export const sessions = sqliteTable(
  "sessions",
  {
    id: text("id").primaryKey(),
    userId: integer("user_id")
      .notNull()
      .references(() => users.id, { onDelete: "cascade" }),
    createdAt: integer("created_at").notNull(),
    expiresAt: integer("expires_at").notNull(),
    lastSeenAt: integer("last_seen_at").notNull(),
  },
  (t) => [index("sessions_user_idx").on(t.userId), index("sessions_expires_idx").on(t.expiresAt)],
);

/** Kinds of row in login_attempts (see the column's comment). */
export const LOGIN_ATTEMPT_KINDS = ["attempt", "lockout"] as const;
/** One kind of login_attempts row. */
export type LoginAttemptKind = (typeof LOGIN_ATTEMPT_KINDS)[number];

/** Sign-in attempts, per address and per username, for rate limiting (db/queries/login-attempts.ts). */
export const loginAttempts = sqliteTable(
  "login_attempts",
  {
    id: integer("id").primaryKey({ autoIncrement: true }),
    address: text("address").notNull(),
    username: text("username").notNull(),
    attemptedAt: integer("attempted_at").notNull(),
    /**
     * `attempt`: a sign-in counted before its password was checked (kept when it failed);
     * `lockout`: the marker written when a limit first refuses this username and address in a
     * window, so the audit log gets one lock-out entry, not one per refused try.
     */
    kind: text("kind", { enum: LOGIN_ATTEMPT_KINDS }).notNull().default("attempt"),
  },
  (t) => [
    index("login_attempts_address_idx").on(t.address, t.attemptedAt),
    index("login_attempts_username_idx").on(t.username, t.attemptedAt),
  ],
);

/** API tokens for other services (Authorization: Bearer); only a SHA-256 hash is stored. */
export const apiTokens = sqliteTable(
  "api_tokens",
  {
    id: integer("id").primaryKey({ autoIncrement: true }),
    name: text("name").notNull(),
    tokenHash: text("token_hash").notNull(),
    role: text("role", { enum: USER_ROLES }).notNull().default("admin"),
    createdBy: integer("created_by"),
    createdAt: integer("created_at").notNull(),
    lastUsedAt: integer("last_used_at"),
    revokedAt: integer("revoked_at"),
  },
  (t) => [uniqueIndex("api_tokens_hash_idx").on(t.tokenHash)],
);

/** Who did what, when: retries, deletes, cancels, enqueues, schedule and user changes. */
export const auditLog = sqliteTable(
  "audit_log",
  {
    id: integer("id").primaryKey({ autoIncrement: true }),
    at: integer("at").notNull(),
    actor: text("actor").notNull(),
    action: text("action").notNull(),
    target: text("target"),
    before: text("before"),
    after: text("after"),
    address: text("address"),
  },
  (t) => [index("audit_log_at_idx").on(t.at, t.id)],
);

/** Small key/value settings kept in the database (for example the generated session secret). */
export const settings = sqliteTable("settings", {
  key: text("key").primaryKey(),
  value: text("value").notNull(),
});

export type JobRow = typeof jobs.$inferSelect;
export type ResultRow = typeof results.$inferSelect;
export type AttemptRow = typeof attempts.$inferSelect;
export type WorkerRow = typeof workers.$inferSelect;
export type ScheduleRow = typeof schedules.$inferSelect;
export type UserRow = typeof users.$inferSelect;
export type AuditRow = typeof auditLog.$inferSelect;
