ALTER TABLE `results` ADD `max_attempts` integer;--> statement-breakpoint
ALTER TABLE `results` ADD `timeout_ms` integer;--> statement-breakpoint
ALTER TABLE `results` ADD `hook` text;--> statement-breakpoint
ALTER TABLE `results` ADD `unique_key` text;