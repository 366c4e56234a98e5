DROP INDEX `results_failure_message_idx`;--> statement-breakpoint
ALTER TABLE `results` ADD `error_fingerprint` text;--> statement-breakpoint
ALTER TABLE `results` ADD `error_group` text GENERATED ALWAYS AS (ifnull(error_fingerprint, error_message)) VIRTUAL;--> statement-breakpoint
CREATE INDEX `results_state_attempts_idx` ON `results` (`state`,`attempts`,`id`);--> statement-breakpoint
CREATE INDEX `results_failure_group_idx` ON `results` (`error_group`,`stopped_at`,`id`) WHERE state = 'failure';--> statement-breakpoint
ALTER TABLE `failure_groups` ADD `example` text DEFAULT '' NOT NULL;--> statement-breakpoint
-- Hand-written from here: failures are grouped by fingerprint (results.error_group) instead of
-- the exact first line, and each group keeps an example message. The fingerprint is computed by
-- jobdeck_error_fingerprint, which db/client.ts registers on every connection before migrating;
-- the triggers below only read the stored column, so they never call it.
--
-- The old triggers go first, then every failure gets its fingerprint, then the groups are rebuilt
-- from scratch (the whole migration is one IMMEDIATE transaction, see db/migrate.ts).
DROP TRIGGER `results_failure_groups_insert`;--> statement-breakpoint
DROP TRIGGER `results_failure_groups_delete`;--> statement-breakpoint
DROP TRIGGER `results_failure_groups_update`;--> statement-breakpoint
UPDATE `results` SET `error_fingerprint` = jobdeck_error_fingerprint(`error_message`)
  WHERE `state` = 'failure';--> statement-breakpoint
DELETE FROM `failure_groups`;--> statement-breakpoint
DELETE FROM `failure_group_tasks`;--> statement-breakpoint
-- The bare error_message comes from the row holding max(stopped_at): the newest example.
INSERT INTO `failure_groups` (`message`, `count`, `open_count`, `last_at`, `example`)
  SELECT `error_group`, count(*), sum(`retried_as` IS NULL), max(`stopped_at`), `error_message`
  FROM `results` WHERE `state` = 'failure' GROUP BY `error_group`;--> statement-breakpoint
INSERT INTO `failure_group_tasks` (`message`, `task`, `count`)
  SELECT `error_group`, `task`, count(*)
  FROM `results` WHERE `state` = 'failure' GROUP BY `error_group`, `task`;--> statement-breakpoint
-- As in 0004, keyed by error_group; the example is the newest failure's first line.
CREATE TRIGGER `results_failure_groups_insert` AFTER INSERT ON `results`
  WHEN NEW.`state` = 'failure' BEGIN
  INSERT INTO `failure_groups` (`message`, `count`, `open_count`, `last_at`, `example`)
    VALUES (NEW.`error_group`, 1, NEW.`retried_as` IS NULL, NEW.`stopped_at`, NEW.`error_message`)
    ON CONFLICT (`message`) DO UPDATE SET `count` = `count` + 1,
      `open_count` = `open_count` + excluded.`open_count`,
      `example` = CASE WHEN excluded.`last_at` >= `last_at` THEN excluded.`example` ELSE `example` END,
      `last_at` = max(`last_at`, excluded.`last_at`);
  INSERT INTO `failure_group_tasks` (`message`, `task`, `count`)
    VALUES (NEW.`error_group`, NEW.`task`, 1)
    ON CONFLICT (`message`, `task`) DO UPDATE SET `count` = `count` + 1;
END;--> statement-breakpoint
CREATE TRIGGER `results_failure_groups_delete` AFTER DELETE ON `results`
  WHEN OLD.`state` = 'failure' BEGIN
  UPDATE `failure_groups` SET `count` = `count` - 1, `open_count` = `open_count` - (OLD.`retried_as` IS NULL),
    `last_at` = CASE WHEN OLD.`stopped_at` < `last_at` THEN `last_at` ELSE ifnull((
      SELECT max(`stopped_at`) FROM `results`
      WHERE `state` = 'failure' AND `error_group` = OLD.`error_group`), `last_at`) END
    WHERE `message` = OLD.`error_group`;
  DELETE FROM `failure_groups` WHERE `message` = OLD.`error_group` AND `count` <= 0;
  UPDATE `failure_group_tasks` SET `count` = `count` - 1
    WHERE `message` = OLD.`error_group` AND `task` = OLD.`task`;
  DELETE FROM `failure_group_tasks`
    WHERE `message` = OLD.`error_group` AND `task` = OLD.`task` AND `count` <= 0;
END;--> statement-breakpoint
CREATE TRIGGER `results_failure_groups_update`
  AFTER UPDATE OF `state`, `error`, `error_fingerprint`, `task`, `stopped_at`, `retried_as` ON `results`
  WHEN OLD.`state` = 'failure' OR NEW.`state` = 'failure' BEGIN
  INSERT INTO `failure_groups` (`message`, `count`, `open_count`, `last_at`, `example`)
    SELECT NEW.`error_group`, 1, NEW.`retried_as` IS NULL, NEW.`stopped_at`, NEW.`error_message`
    WHERE NEW.`state` = 'failure'
    ON CONFLICT (`message`) DO UPDATE SET `count` = `count` + 1,
      `open_count` = `open_count` + excluded.`open_count`,
      `example` = CASE WHEN excluded.`last_at` >= `last_at` THEN excluded.`example` ELSE `example` END,
      `last_at` = max(`last_at`, excluded.`last_at`);
  INSERT INTO `failure_group_tasks` (`message`, `task`, `count`)
    SELECT NEW.`error_group`, NEW.`task`, 1 WHERE NEW.`state` = 'failure'
    ON CONFLICT (`message`, `task`) DO UPDATE SET `count` = `count` + 1;
  UPDATE `failure_groups` SET `count` = `count` - 1, `open_count` = `open_count` - (OLD.`retried_as` IS NULL),
    `last_at` = CASE WHEN OLD.`stopped_at` < `last_at` THEN `last_at` ELSE ifnull((
      SELECT max(`stopped_at`) FROM `results`
      WHERE `state` = 'failure' AND `error_group` = OLD.`error_group`), `last_at`) END
    WHERE OLD.`state` = 'failure' AND `message` = OLD.`error_group`;
  DELETE FROM `failure_groups` WHERE `message` = OLD.`error_group` AND `count` <= 0;
  UPDATE `failure_group_tasks` SET `count` = `count` - 1
    WHERE OLD.`state` = 'failure' AND `message` = OLD.`error_group` AND `task` = OLD.`task`;
  DELETE FROM `failure_group_tasks`
    WHERE `message` = OLD.`error_group` AND `task` = OLD.`task` AND `count` <= 0;
END;
