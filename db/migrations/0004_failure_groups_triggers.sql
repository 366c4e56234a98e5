-- Failures grouped by message (`results.error_message`, the error's first line), maintained on
-- write like the counters in 0001, so the Failures page reads a few rows of `failure_groups`
-- instead of grouping every failure.
--
-- Every trigger fires only for failure rows (WHEN ... 'failure'), so recording a success, the
-- worker's hot path, pays only for evaluating that condition.
--
-- last_at stays exact: when a delete (or an update moving a row out of its group) takes the
-- group's newest failure, it is recomputed with one seek on results_failure_message_idx; other
-- deletes leave it alone. Groups and group tasks whose count drops to 0 are deleted.
--
-- Backfill first, then the triggers: the migration runs in one IMMEDIATE transaction, so no write
-- falls between the two.
INSERT INTO `failure_groups` (`message`, `count`, `open_count`, `last_at`)
  SELECT `error_message`, count(*), sum(`retried_as` IS NULL), max(`stopped_at`)
  FROM `results` WHERE `state` = 'failure' GROUP BY `error_message`;--> statement-breakpoint
INSERT INTO `failure_group_tasks` (`message`, `task`, `count`)
  SELECT `error_message`, `task`, count(*)
  FROM `results` WHERE `state` = 'failure' GROUP BY `error_message`, `task`;--> statement-breakpoint
CREATE TRIGGER `results_failure_groups_insert` AFTER INSERT ON `results`
  WHEN NEW.`state` = 'failure' BEGIN
  INSERT INTO `failure_groups` (`message`, `count`, `open_count`, `last_at`)
    VALUES (NEW.`error_message`, 1, NEW.`retried_as` IS NULL, NEW.`stopped_at`)
    ON CONFLICT (`message`) DO UPDATE SET `count` = `count` + 1,
      `open_count` = `open_count` + excluded.`open_count`, `last_at` = max(`last_at`, excluded.`last_at`);
  INSERT INTO `failure_group_tasks` (`message`, `task`, `count`)
    VALUES (NEW.`error_message`, NEW.`task`, 1)
    ON CONFLICT (`message`, `task`) DO UPDATE SET `count` = `count` + 1;
END;--> statement-breakpoint
CREATE TRIGGER `results_failure_groups_delete` AFTER DELETE ON `results`
  WHEN OLD.`state` = 'failure' BEGIN
  UPDATE `failure_groups` SET `count` = `count` - 1, `open_count` = `open_count` - (OLD.`retried_as` IS NULL),
    `last_at` = CASE WHEN OLD.`stopped_at` < `last_at` THEN `last_at` ELSE ifnull((
      SELECT max(`stopped_at`) FROM `results`
      WHERE `state` = 'failure' AND `error_message` = OLD.`error_message`), `last_at`) END
    WHERE `message` = OLD.`error_message`;
  DELETE FROM `failure_groups` WHERE `message` = OLD.`error_message` AND `count` <= 0;
  UPDATE `failure_group_tasks` SET `count` = `count` - 1
    WHERE `message` = OLD.`error_message` AND `task` = OLD.`task`;
  DELETE FROM `failure_group_tasks`
    WHERE `message` = OLD.`error_message` AND `task` = OLD.`task` AND `count` <= 0;
END;--> statement-breakpoint
-- An update touching a failure (a retry sets retried_as) takes OLD out of its group and puts NEW
-- in: simple, and right for any change of state, error, task or stopped_at. NEW goes in first,
-- so a retry never deletes and re-creates its group.
CREATE TRIGGER `results_failure_groups_update`
  AFTER UPDATE OF `state`, `error`, `task`, `stopped_at`, `retried_as` ON `results`
  WHEN OLD.`state` = 'failure' OR NEW.`state` = 'failure' BEGIN
  INSERT INTO `failure_groups` (`message`, `count`, `open_count`, `last_at`)
    SELECT NEW.`error_message`, 1, NEW.`retried_as` IS NULL, NEW.`stopped_at` WHERE NEW.`state` = 'failure'
    ON CONFLICT (`message`) DO UPDATE SET `count` = `count` + 1,
      `open_count` = `open_count` + excluded.`open_count`, `last_at` = max(`last_at`, excluded.`last_at`);
  INSERT INTO `failure_group_tasks` (`message`, `task`, `count`)
    SELECT NEW.`error_message`, NEW.`task`, 1 WHERE NEW.`state` = 'failure'
    ON CONFLICT (`message`, `task`) DO UPDATE SET `count` = `count` + 1;
  UPDATE `failure_groups` SET `count` = `count` - 1, `open_count` = `open_count` - (OLD.`retried_as` IS NULL),
    `last_at` = CASE WHEN OLD.`stopped_at` < `last_at` THEN `last_at` ELSE ifnull((
      SELECT max(`stopped_at`) FROM `results`
      WHERE `state` = 'failure' AND `error_message` = OLD.`error_message`), `last_at`) END
    WHERE OLD.`state` = 'failure' AND `message` = OLD.`error_message`;
  DELETE FROM `failure_groups` WHERE `message` = OLD.`error_message` AND `count` <= 0;
  UPDATE `failure_group_tasks` SET `count` = `count` - 1
    WHERE OLD.`state` = 'failure' AND `message` = OLD.`error_message` AND `task` = OLD.`task`;
  DELETE FROM `failure_group_tasks`
    WHERE `message` = OLD.`error_message` AND `task` = OLD.`task` AND `count` <= 0;
END;
