-- `jobs.id_scheme`: always 1, NOT NULL with no default, so an insert that leaves the id to SQLite
-- fails instead of taking a used id. Since 0006 every new job names its id (NEXT_JOB_ID in
-- db/queries/insert-jobs.ts); a writer that does not -- a process still on a release from before
-- 0006, a hand-written INSERT -- would get the live queue's largest id plus one, often a finished
-- job's id still in `results`, whose result write would then fail. A trigger could refuse it
-- with a clearer message but runs for every inserted row (bulk enqueue 14-30 % slower); a
-- constraint costs nothing. The rebuild keeps every row (id_scheme 1), the indexes, and the
-- floor trigger of 0006 (DROP TABLE drops a table's triggers).
PRAGMA foreign_keys=OFF;--> statement-breakpoint
CREATE TABLE `__new_jobs` (
	`id` integer PRIMARY KEY NOT NULL,
	`id_scheme` integer NOT NULL,
	`name` text,
	`task` text NOT NULL,
	`args` text DEFAULT 'null' NOT NULL,
	`queue` text DEFAULT 'default' NOT NULL,
	`priority` integer DEFAULT 0 NOT NULL,
	`state` text DEFAULT 'queued' NOT NULL,
	`group_name` text,
	`unique_key` text,
	`run_at` integer NOT NULL,
	`created_at` integer NOT NULL,
	`attempts` integer DEFAULT 0 NOT NULL,
	`max_attempts` integer,
	`timeout_ms` integer,
	`locked_by` text,
	`locked_at` integer,
	`lease_expires_at` integer,
	`claim_token` text,
	`started_at` integer,
	`first_started_at` integer,
	`progress` real,
	`progress_message` text,
	`cancel_requested_at` integer,
	`last_error` text,
	`hook` text,
	`retry_of` integer,
	`schedule_id` integer
);
--> statement-breakpoint
INSERT INTO `__new_jobs`("id", "id_scheme", "name", "task", "args", "queue", "priority", "state", "group_name", "unique_key", "run_at", "created_at", "attempts", "max_attempts", "timeout_ms", "locked_by", "locked_at", "lease_expires_at", "claim_token", "started_at", "first_started_at", "progress", "progress_message", "cancel_requested_at", "last_error", "hook", "retry_of", "schedule_id") SELECT "id", 1, "name", "task", "args", "queue", "priority", "state", "group_name", "unique_key", "run_at", "created_at", "attempts", "max_attempts", "timeout_ms", "locked_by", "locked_at", "lease_expires_at", "claim_token", "started_at", "first_started_at", "progress", "progress_message", "cancel_requested_at", "last_error", "hook", "retry_of", "schedule_id" FROM `jobs`;--> statement-breakpoint
DROP TABLE `jobs`;--> statement-breakpoint
ALTER TABLE `__new_jobs` RENAME TO `jobs`;--> statement-breakpoint
PRAGMA foreign_keys=ON;--> statement-breakpoint
CREATE INDEX `jobs_claim_idx` ON `jobs` (priority DESC,`run_at`,`id`) WHERE state = 'queued';--> statement-breakpoint
CREATE INDEX `jobs_claim_queue_idx` ON `jobs` (`queue`,priority DESC,`run_at`,`id`) WHERE state = 'queued';--> statement-breakpoint
CREATE INDEX `jobs_due_idx` ON `jobs` (`run_at`) WHERE state = 'queued' AND run_at > created_at;--> statement-breakpoint
CREATE INDEX `jobs_lease_idx` ON `jobs` (`lease_expires_at`) WHERE state = 'running';--> statement-breakpoint
CREATE UNIQUE INDEX `jobs_unique_key_idx` ON `jobs` (`unique_key`) WHERE unique_key IS NOT NULL;--> statement-breakpoint
CREATE INDEX `jobs_group_idx` ON `jobs` (`group_name`) WHERE group_name IS NOT NULL;--> statement-breakpoint
CREATE TRIGGER `jobs_job_id_floor` AFTER DELETE ON `jobs`
  WHEN OLD.`state` <> 'running' OR NOT EXISTS (SELECT 1 FROM `results` WHERE `id` = OLD.`id`) BEGIN
  UPDATE `counters` SET `value` = max(`value`, OLD.`id`) WHERE `name` = 'job_id_floor';
END;