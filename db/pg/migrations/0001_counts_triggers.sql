-- Hand-written (drizzle-kit cannot express functions or triggers): the maintained counts of
-- db/pg/schema.ts's header -- results by state (`counters`), successes and failures per minute
-- (`stats_minutely`, on insert only, as on SQLite) and failures by group (`failure_groups`,
-- `failure_group_tasks`) -- without hot rows. Each writer adds into its own shard
-- (jobdeck_count_shard: 1 + backend pid mod 64; shard 0 is only written by the fold), once per
-- statement (transition tables), so a batch of outcomes costs one upsert per counter, minute
-- and group, and two workers only wait on each other when their backend pids collide mod 64.
-- Rows are locked in a fixed order (by key) so colliding writers wait rather than deadlock.
CREATE FUNCTION jobdeck_count_shard() RETURNS integer LANGUAGE sql STABLE PARALLEL SAFE
  AS $$ SELECT 1 + pg_backend_pid() % 64 $$;--> statement-breakpoint
-- The upserts below run in plpgsql, whose statement plans are cached per session (a LANGUAGE sql
-- function of several statements would be planned again on every call). Each event has its own
-- function so that each names only the transition tables it has. Successes -- the hot path --
-- run two small upserts; the failure-group ones are skipped when the statement wrote no failure.
CREATE FUNCTION jobdeck_results_counts_insert() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
  s integer := jobdeck_count_shard();
BEGIN
  INSERT INTO counters (name, shard, value)
    SELECT state, s, count(*) FROM new_rows GROUP BY state ORDER BY state
    ON CONFLICT (name, shard) DO UPDATE SET value = counters.value + excluded.value;
  INSERT INTO stats_minutely (minute, shard, success, failure)
    SELECT (stopped_at / 60000) * 60000, s, count(*) FILTER (WHERE state = 'success'),
      count(*) FILTER (WHERE state = 'failure')
    FROM new_rows GROUP BY 1 ORDER BY 1
    ON CONFLICT (minute, shard) DO UPDATE SET success = stats_minutely.success + excluded.success,
      failure = stats_minutely.failure + excluded.failure;
  IF EXISTS (SELECT 1 FROM new_rows WHERE state = 'failure') THEN
    INSERT INTO failure_groups (message, shard, count, open_count)
      SELECT error_group, s, count(*), count(*) FILTER (WHERE retried_as IS NULL)
      FROM new_rows WHERE state = 'failure' GROUP BY error_group ORDER BY error_group
      ON CONFLICT (message, shard) DO UPDATE SET count = failure_groups.count + excluded.count,
        open_count = failure_groups.open_count + excluded.open_count;
    INSERT INTO failure_group_tasks (message, task, shard, count)
      SELECT error_group, task, s, count(*)
      FROM new_rows WHERE state = 'failure' GROUP BY error_group, task ORDER BY error_group, task
      ON CONFLICT (message, task, shard) DO UPDATE
        SET count = failure_group_tasks.count + excluded.count;
  END IF;
  RETURN NULL;
END $$;--> statement-breakpoint
-- Deletes take rows out of the counts (stats_minutely is kept, as on SQLite: it counts what
-- happened in each minute, not what is still stored).
CREATE FUNCTION jobdeck_results_counts_delete() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
  s integer := jobdeck_count_shard();
BEGIN
  INSERT INTO counters (name, shard, value)
    SELECT state, s, -count(*) FROM old_rows GROUP BY state ORDER BY state
    ON CONFLICT (name, shard) DO UPDATE SET value = counters.value + excluded.value;
  IF EXISTS (SELECT 1 FROM old_rows WHERE state = 'failure') THEN
    INSERT INTO failure_groups (message, shard, count, open_count)
      SELECT error_group, s, -count(*), -count(*) FILTER (WHERE retried_as IS NULL)
      FROM old_rows WHERE state = 'failure' GROUP BY error_group ORDER BY error_group
      ON CONFLICT (message, shard) DO UPDATE SET count = failure_groups.count + excluded.count,
        open_count = failure_groups.open_count + excluded.open_count;
    INSERT INTO failure_group_tasks (message, task, shard, count)
      SELECT error_group, task, s, -count(*)
      FROM old_rows WHERE state = 'failure' GROUP BY error_group, task ORDER BY error_group, task
      ON CONFLICT (message, task, shard) DO UPDATE
        SET count = failure_group_tasks.count + excluded.count;
  END IF;
  RETURN NULL;
END $$;--> statement-breakpoint
-- An update takes each changed row's OLD out of the counts and puts its NEW in (a retry sets
-- retried_as: the group's open count drops). Rows whose counted columns did not change are
-- skipped, so most updates (retried_at, a dashboard edit) write nothing.
CREATE FUNCTION jobdeck_results_counts_update() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
  s integer := jobdeck_count_shard();
BEGIN
  IF NOT EXISTS (SELECT 1 FROM old_rows o JOIN new_rows n ON n.id = o.id
      WHERE (o.state, o.error_group, o.task, o.retried_as IS NULL)
        IS DISTINCT FROM (n.state, n.error_group, n.task, n.retried_as IS NULL)) THEN
    RETURN NULL;
  END IF;
  WITH d AS (
    SELECT d.* FROM old_rows o JOIN new_rows n ON n.id = o.id
    CROSS JOIN LATERAL (VALUES
      (-1, o.state, o.error_group, o.task, o.retried_as IS NULL),
      (1, n.state, n.error_group, n.task, n.retried_as IS NULL))
      AS d(sign, state, error_group, task, is_open)
    WHERE (o.state, o.error_group, o.task, o.retried_as IS NULL)
      IS DISTINCT FROM (n.state, n.error_group, n.task, n.retried_as IS NULL))
  INSERT INTO counters (name, shard, value)
    SELECT state, s, sum(sign) FROM d GROUP BY state HAVING sum(sign) <> 0 ORDER BY state
    ON CONFLICT (name, shard) DO UPDATE SET value = counters.value + excluded.value;
  WITH d AS (
    SELECT d.* FROM old_rows o JOIN new_rows n ON n.id = o.id
    CROSS JOIN LATERAL (VALUES
      (-1, o.state, o.error_group, o.task, o.retried_as IS NULL),
      (1, n.state, n.error_group, n.task, n.retried_as IS NULL))
      AS d(sign, state, error_group, task, is_open)
    WHERE (o.state, o.error_group, o.task, o.retried_as IS NULL)
      IS DISTINCT FROM (n.state, n.error_group, n.task, n.retried_as IS NULL))
  INSERT INTO failure_groups (message, shard, count, open_count)
    SELECT error_group, s, sum(sign), coalesce(sum(sign) FILTER (WHERE is_open), 0)
    FROM d WHERE state = 'failure' GROUP BY error_group
    HAVING sum(sign) <> 0 OR coalesce(sum(sign) FILTER (WHERE is_open), 0) <> 0
    ORDER BY error_group
    ON CONFLICT (message, shard) DO UPDATE SET count = failure_groups.count + excluded.count,
      open_count = failure_groups.open_count + excluded.open_count;
  WITH d AS (
    SELECT d.* FROM old_rows o JOIN new_rows n ON n.id = o.id
    CROSS JOIN LATERAL (VALUES
      (-1, o.state, o.error_group, o.task, o.retried_as IS NULL),
      (1, n.state, n.error_group, n.task, n.retried_as IS NULL))
      AS d(sign, state, error_group, task, is_open)
    WHERE (o.state, o.error_group, o.task, o.retried_as IS NULL)
      IS DISTINCT FROM (n.state, n.error_group, n.task, n.retried_as IS NULL))
  INSERT INTO failure_group_tasks (message, task, shard, count)
    SELECT error_group, task, s, sum(sign) FROM d WHERE state = 'failure'
    GROUP BY error_group, task HAVING sum(sign) <> 0 ORDER BY error_group, task
    ON CONFLICT (message, task, shard) DO UPDATE
      SET count = failure_group_tasks.count + excluded.count;
  RETURN NULL;
END $$;--> statement-breakpoint
CREATE TRIGGER results_counts_insert AFTER INSERT ON results
  REFERENCING NEW TABLE AS new_rows
  FOR EACH STATEMENT EXECUTE FUNCTION jobdeck_results_counts_insert();--> statement-breakpoint
CREATE TRIGGER results_counts_delete AFTER DELETE ON results
  REFERENCING OLD TABLE AS old_rows
  FOR EACH STATEMENT EXECUTE FUNCTION jobdeck_results_counts_delete();--> statement-breakpoint
CREATE TRIGGER results_counts_update AFTER UPDATE ON results
  REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows
  FOR EACH STATEMENT EXECUTE FUNCTION jobdeck_results_counts_update();--> statement-breakpoint
-- Folds the writers' shards into shard 0 and drops rows that count nothing, so reads sum a few
-- rows. Run by upkeep (any process, any time, concurrently too): rows a writer holds right now are
-- skipped (SKIP LOCKED) and folded next time, so the fold never waits for a worker. Returns the
-- number of shard rows folded.
CREATE FUNCTION jobdeck_fold_counts() RETURNS bigint LANGUAGE plpgsql AS $$
DECLARE
  folded bigint := 0;
  n bigint;
BEGIN
  WITH moved AS (
    DELETE FROM counters WHERE (name, shard) IN (
      SELECT name, shard FROM counters WHERE shard <> 0 ORDER BY name, shard FOR UPDATE SKIP LOCKED)
    RETURNING name, value
  ), ins AS (
    INSERT INTO counters (name, shard, value)
      SELECT name, 0, sum(value) FROM moved GROUP BY name ORDER BY name
      ON CONFLICT (name, shard) DO UPDATE SET value = counters.value + excluded.value
  ) SELECT count(*) INTO n FROM moved;
  folded := folded + n;
  WITH moved AS (
    DELETE FROM stats_minutely WHERE (minute, shard) IN (
      SELECT minute, shard FROM stats_minutely WHERE shard <> 0 ORDER BY minute, shard
      FOR UPDATE SKIP LOCKED)
    RETURNING minute, success, failure
  ), ins AS (
    INSERT INTO stats_minutely (minute, shard, success, failure)
      SELECT minute, 0, sum(success), sum(failure) FROM moved GROUP BY minute ORDER BY minute
      ON CONFLICT (minute, shard) DO UPDATE SET success = stats_minutely.success + excluded.success,
        failure = stats_minutely.failure + excluded.failure
  ) SELECT count(*) INTO n FROM moved;
  folded := folded + n;
  WITH moved AS (
    DELETE FROM failure_groups WHERE (message, shard) IN (
      SELECT message, shard FROM failure_groups WHERE shard <> 0 ORDER BY message, shard
      FOR UPDATE SKIP LOCKED)
    RETURNING message, count, open_count
  ), ins AS (
    INSERT INTO failure_groups (message, shard, count, open_count)
      SELECT message, 0, sum(count), sum(open_count) FROM moved GROUP BY message ORDER BY message
      ON CONFLICT (message, shard) DO UPDATE SET count = failure_groups.count + excluded.count,
        open_count = failure_groups.open_count + excluded.open_count
  ) SELECT count(*) INTO n FROM moved;
  folded := folded + n;
  WITH moved AS (
    DELETE FROM failure_group_tasks WHERE (message, task, shard) IN (
      SELECT message, task, shard FROM failure_group_tasks WHERE shard <> 0
      ORDER BY message, task, shard FOR UPDATE SKIP LOCKED)
    RETURNING message, task, count
  ), ins AS (
    INSERT INTO failure_group_tasks (message, task, shard, count)
      SELECT message, task, 0, sum(count) FROM moved GROUP BY message, task ORDER BY message, task
      ON CONFLICT (message, task, shard) DO UPDATE SET count = failure_group_tasks.count + excluded.count
  ) SELECT count(*) INTO n FROM moved;
  folded := folded + n;
  -- A row that counts nothing changes no sum, whoever else writes the group.
  DELETE FROM failure_groups WHERE shard = 0 AND count = 0 AND open_count = 0;
  DELETE FROM failure_group_tasks WHERE shard = 0 AND count = 0;
  RETURN folded;
END $$;--> statement-breakpoint
-- Built-in tasks are always registered, so a fresh database accepts them before any worker starts.
INSERT INTO tasks (name, description, example_args, is_builtin, updated_at) VALUES
  ('demo.echo', 'Returns its arguments', '{"hello":"world"}', true, 0),
  ('demo.sleep', 'Waits ms milliseconds', '{"ms":1000}', true, 0),
  ('demo.fail', 'Always throws', '{}', true, 0),
  ('demo.flaky', 'Throws with probability p', '{"p":0.5}', true, 0),
  ('demo.cpu', 'Busy loop that blocks its thread for ms milliseconds', '{"ms":1000}', true, 0),
  ('demo.noop', 'Does nothing', 'null', true, 0),
  ('jobdeck.prune', 'Prunes old successes by the save limit', '{}', true, 0)
  ON CONFLICT (name) DO NOTHING;
