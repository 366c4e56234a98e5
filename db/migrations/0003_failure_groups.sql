CREATE TABLE `failure_group_tasks` (
	`message` text NOT NULL,
	`task` text NOT NULL,
	`count` integer NOT NULL,
	PRIMARY KEY(`message`, `task`)
);
--> statement-breakpoint
CREATE TABLE `failure_groups` (
	`message` text PRIMARY KEY NOT NULL,
	`count` integer NOT NULL,
	`open_count` integer NOT NULL,
	`last_at` integer NOT NULL
);
--> statement-breakpoint
CREATE INDEX `failure_groups_list_idx` ON `failure_groups` (open_count DESC,count DESC,last_at DESC,`message`);--> statement-breakpoint
ALTER TABLE `results` ADD `error_message` text GENERATED ALWAYS AS (ifnull(substr(error, 1, instr(error || char(10), char(10)) - 1), '')) VIRTUAL;--> statement-breakpoint
CREATE INDEX `results_failure_message_idx` ON `results` (`error_message`,`stopped_at`,`id`) WHERE state = 'failure';