DROP INDEX `jobs_due_idx`;--> statement-breakpoint
CREATE INDEX `jobs_due_idx` ON `jobs` (`run_at`) WHERE state = 'queued' AND run_at > created_at;