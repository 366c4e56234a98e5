CREATE TABLE `api_tokens` (
	`id` integer PRIMARY KEY AUTOINCREMENT NOT NULL,
	`name` text NOT NULL,
	`token_hash` text NOT NULL,
	`role` text DEFAULT 'admin' NOT NULL,
	`created_by` integer,
	`created_at` integer NOT NULL,
	`last_used_at` integer,
	`revoked_at` integer
);
--> statement-breakpoint
CREATE UNIQUE INDEX `api_tokens_hash_idx` ON `api_tokens` (`token_hash`);--> statement-breakpoint
CREATE TABLE `attempts` (
	`id` integer PRIMARY KEY AUTOINCREMENT NOT NULL,
	`job_id` integer NOT NULL,
	`attempt` integer NOT NULL,
	`worker_id` text,
	`outcome` text NOT NULL,
	`started_at` integer NOT NULL,
	`stopped_at` integer NOT NULL,
	`duration_ms` integer NOT NULL,
	`error` text,
	`error_stack` text
);
--> statement-breakpoint
CREATE INDEX `attempts_job_idx` ON `attempts` (`job_id`,`attempt`);--> statement-breakpoint
CREATE TABLE `audit_log` (
	`id` integer PRIMARY KEY AUTOINCREMENT NOT NULL,
	`at` integer NOT NULL,
	`actor` text NOT NULL,
	`action` text NOT NULL,
	`target` text,
	`before` text,
	`after` text,
	`address` text
);
--> statement-breakpoint
CREATE INDEX `audit_log_at_idx` ON `audit_log` (`at`,`id`);--> statement-breakpoint
CREATE TABLE `counters` (
	`name` text PRIMARY KEY NOT NULL,
	`value` integer DEFAULT 0 NOT NULL
);
--> statement-breakpoint
CREATE TABLE `jobs` (
	`id` integer PRIMARY KEY AUTOINCREMENT NOT NULL,
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
CREATE INDEX `jobs_claim_idx` ON `jobs` (priority DESC,`run_at`,`id`) WHERE state = 'queued';--> statement-breakpoint
CREATE INDEX `jobs_claim_queue_idx` ON `jobs` (`queue`,priority DESC,`run_at`,`id`) WHERE state = 'queued';--> statement-breakpoint
CREATE INDEX `jobs_due_idx` ON `jobs` (`run_at`) WHERE state = 'queued';--> statement-breakpoint
CREATE INDEX `jobs_lease_idx` ON `jobs` (`lease_expires_at`) WHERE state = 'running';--> statement-breakpoint
CREATE UNIQUE INDEX `jobs_unique_key_idx` ON `jobs` (`unique_key`) WHERE unique_key IS NOT NULL;--> statement-breakpoint
CREATE INDEX `jobs_state_id_idx` ON `jobs` (`state`,`id`);--> statement-breakpoint
CREATE INDEX `jobs_group_idx` ON `jobs` (`group_name`) WHERE group_name IS NOT NULL;--> statement-breakpoint
CREATE TABLE `login_attempts` (
	`id` integer PRIMARY KEY AUTOINCREMENT NOT NULL,
	`address` text NOT NULL,
	`username` text NOT NULL,
	`attempted_at` integer NOT NULL
);
--> statement-breakpoint
CREATE INDEX `login_attempts_address_idx` ON `login_attempts` (`address`,`attempted_at`);--> statement-breakpoint
CREATE INDEX `login_attempts_username_idx` ON `login_attempts` (`username`,`attempted_at`);--> statement-breakpoint
CREATE TABLE `results` (
	`id` integer PRIMARY KEY NOT NULL,
	`name` text,
	`task` text NOT NULL,
	`args` text NOT NULL,
	`queue` text NOT NULL,
	`priority` integer NOT NULL,
	`state` text NOT NULL,
	`group_name` text,
	`result` text,
	`error` text,
	`error_stack` text,
	`created_at` integer NOT NULL,
	`started_at` integer,
	`stopped_at` integer NOT NULL,
	`duration_ms` integer,
	`attempts` integer NOT NULL,
	`worker_id` text,
	`retry_of` integer,
	`retried_as` integer,
	`retried_at` integer,
	`schedule_id` integer
);
--> statement-breakpoint
CREATE INDEX `results_state_stopped_idx` ON `results` (`state`,`stopped_at`,`id`);--> statement-breakpoint
CREATE INDEX `results_state_started_idx` ON `results` (`state`,`started_at`,`id`);--> statement-breakpoint
CREATE INDEX `results_state_duration_idx` ON `results` (`state`,`duration_ms`,`id`);--> statement-breakpoint
CREATE INDEX `results_state_task_stopped_idx` ON `results` (`state`,`task`,`stopped_at`,`id`);--> statement-breakpoint
CREATE INDEX `results_state_queue_stopped_idx` ON `results` (`state`,`queue`,`stopped_at`,`id`);--> statement-breakpoint
CREATE INDEX `results_group_idx` ON `results` (`group_name`,`stopped_at`) WHERE group_name IS NOT NULL;--> statement-breakpoint
CREATE INDEX `results_retry_of_idx` ON `results` (`retry_of`) WHERE retry_of IS NOT NULL;--> statement-breakpoint
CREATE INDEX `results_schedule_idx` ON `results` (`schedule_id`,`stopped_at`) WHERE schedule_id IS NOT NULL;--> statement-breakpoint
CREATE TABLE `schedule_runs` (
	`schedule_id` integer NOT NULL,
	`fire_at` integer NOT NULL,
	`job_id` integer NOT NULL,
	`created_at` integer NOT NULL,
	PRIMARY KEY(`schedule_id`, `fire_at`),
	FOREIGN KEY (`schedule_id`) REFERENCES `schedules`(`id`) ON UPDATE no action ON DELETE cascade
);
--> statement-breakpoint
CREATE TABLE `schedules` (
	`id` integer PRIMARY KEY AUTOINCREMENT NOT NULL,
	`name` text NOT NULL,
	`task` text NOT NULL,
	`args` text DEFAULT 'null' NOT NULL,
	`schedule_type` text NOT NULL,
	`minutes` integer,
	`cron` text,
	`timezone` text DEFAULT 'UTC' NOT NULL,
	`repeats` integer DEFAULT -1 NOT NULL,
	`next_run_at` integer,
	`is_enabled` integer DEFAULT true NOT NULL,
	`queue` text DEFAULT 'default' NOT NULL,
	`priority` integer DEFAULT 0 NOT NULL,
	`catch_up` text DEFAULT 'once' NOT NULL,
	`last_run_at` integer,
	`last_job_id` integer,
	`created_at` integer NOT NULL,
	`updated_at` integer NOT NULL
);
--> statement-breakpoint
CREATE UNIQUE INDEX `schedules_name_idx` ON `schedules` (`name`);--> statement-breakpoint
CREATE INDEX `schedules_due_idx` ON `schedules` (`next_run_at`) WHERE is_enabled = 1;--> statement-breakpoint
CREATE TABLE `sessions` (
	`id` text PRIMARY KEY NOT NULL,
	`user_id` integer NOT NULL,
	`created_at` integer NOT NULL,
	`expires_at` integer NOT NULL,
	`last_seen_at` integer NOT NULL,
	FOREIGN KEY (`user_id`) REFERENCES `users`(`id`) ON UPDATE no action ON DELETE cascade
);
--> statement-breakpoint
CREATE INDEX `sessions_user_idx` ON `sessions` (`user_id`);--> statement-breakpoint
CREATE INDEX `sessions_expires_idx` ON `sessions` (`expires_at`);--> statement-breakpoint
CREATE TABLE `settings` (
	`key` text PRIMARY KEY NOT NULL,
	`value` text NOT NULL
);
--> statement-breakpoint
CREATE TABLE `stats_minutely` (
	`minute` integer PRIMARY KEY NOT NULL,
	`success` integer DEFAULT 0 NOT NULL,
	`failure` integer DEFAULT 0 NOT NULL
);
--> statement-breakpoint
CREATE TABLE `tasks` (
	`name` text PRIMARY KEY NOT NULL,
	`description` text,
	`example_args` text,
	`is_builtin` integer DEFAULT false NOT NULL,
	`updated_at` integer NOT NULL
);
--> statement-breakpoint
CREATE TABLE `users` (
	`id` integer PRIMARY KEY AUTOINCREMENT NOT NULL,
	`username` text NOT NULL,
	`password_hash` text NOT NULL,
	`role` text DEFAULT 'admin' NOT NULL,
	`created_at` integer NOT NULL,
	`updated_at` integer NOT NULL
);
--> statement-breakpoint
CREATE UNIQUE INDEX `users_username_idx` ON `users` (`username`);--> statement-breakpoint
CREATE TABLE `workers` (
	`id` text PRIMARY KEY NOT NULL,
	`host` text NOT NULL,
	`pid` integer NOT NULL,
	`concurrency` integer NOT NULL,
	`queues` text NOT NULL,
	`started_at` integer NOT NULL,
	`last_heartbeat_at` integer NOT NULL,
	`stopped_at` integer,
	`jobs_done` integer DEFAULT 0 NOT NULL
);
--> statement-breakpoint
CREATE INDEX `workers_heartbeat_idx` ON `workers` (`last_heartbeat_at`);