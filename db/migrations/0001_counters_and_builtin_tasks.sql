-- Counters maintained on write, so no page counts millions of rows: results by state, and
-- successes/failures per minute for the Overview chart. Written by triggers, so every writer
-- (worker, dashboard, CLI) keeps them right inside its own transaction.
INSERT INTO `counters` (`name`, `value`) VALUES ('success', 0), ('failure', 0);--> statement-breakpoint
CREATE TRIGGER `results_counters_insert` AFTER INSERT ON `results` BEGIN
  UPDATE `counters` SET `value` = `value` + 1 WHERE `name` = NEW.`state`;
  INSERT OR IGNORE INTO `stats_minutely` (`minute`, `success`, `failure`) VALUES ((NEW.`stopped_at` / 60000) * 60000, 0, 0);
  UPDATE `stats_minutely` SET `success` = `success` + (NEW.`state` = 'success'), `failure` = `failure` + (NEW.`state` = 'failure')
    WHERE `minute` = (NEW.`stopped_at` / 60000) * 60000;
END;--> statement-breakpoint
CREATE TRIGGER `results_counters_delete` AFTER DELETE ON `results` BEGIN
  UPDATE `counters` SET `value` = `value` - 1 WHERE `name` = OLD.`state`;
END;--> statement-breakpoint
CREATE TRIGGER `results_counters_update` AFTER UPDATE OF `state` ON `results` WHEN OLD.`state` <> NEW.`state` BEGIN
  UPDATE `counters` SET `value` = `value` - 1 WHERE `name` = OLD.`state`;
  UPDATE `counters` SET `value` = `value` + 1 WHERE `name` = NEW.`state`;
END;--> statement-breakpoint
-- Built-in tasks are always registered, so a fresh database accepts them before any worker starts.
INSERT INTO `tasks` (`name`, `description`, `example_args`, `is_builtin`, `updated_at`) VALUES
  ('demo.echo', 'Returns its arguments', '{"hello":"world"}', 1, 0),
  ('demo.sleep', 'Waits ms milliseconds', '{"ms":1000}', 1, 0),
  ('demo.fail', 'Always throws', '{}', 1, 0),
  ('demo.flaky', 'Throws with probability p', '{"p":0.5}', 1, 0),
  ('demo.cpu', 'Busy loop that blocks its thread for ms milliseconds', '{"ms":1000}', 1, 0),
  ('demo.noop', 'Does nothing', 'null', 1, 0),
  ('jobdeck.prune', 'Prunes old successes by the save limit', '{}', 1, 0)
  ON CONFLICT (`name`) DO NOTHING;
