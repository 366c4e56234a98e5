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
-- Adds signed result rows (sign, state, stopped_at, error_group, task, retried_as) into the
-- caller's shard. `with_minutes`: also add to stats_minutely (inserts only).
CREATE FUNCTION jobdeck_add_result_counts(d jsonb, with_minutes boolean) RETURNS void
  LANGUAGE sql AS $$
  WITH rows AS (
    SELECT * FROM jsonb_to_recordset(d)
      AS r(sign integer, state text, stopped_at bigint, error_group text, task text, retried_as bigint)
  ), c AS (
    INSERT INTO counters (name, shard, value)
      SELECT state, jobdeck_count_shard(), sum(sign) FROM rows
      GROUP BY state HAVING sum(sign) <> 0 ORDER BY state
      ON CONFLICT (name, shard) DO UPDATE SET value = counters.value + excluded.value
  ), m AS (
    INSERT INTO stats_minutely (minute, shard, success, failure)
      SELECT (stopped_at / 60000) * 60000, jobdeck_count_shard(),
        count(*) FILTER (WHERE state = 'success'), count(*) FILTER (WHERE state = 'failure')
      FROM rows WHERE with_minutes GROUP BY 1 ORDER BY 1
      ON CONFLICT (minute, shard) DO UPDATE SET success = stats_minutely.success + excluded.success,
        failure = stats_minutely.failure + excluded.failure
  ), g AS (
    INSERT INTO failure_groups (message, shard, count, open_count)
      SELECT error_group, jobdeck_count_shard(), sum(sign),
        coalesce(sum(sign) FILTER (WHERE retried_as IS NULL), 0)
      FROM rows WHERE state = 'failure' GROUP BY error_group
      HAVING sum(sign) <> 0 OR coalesce(sum(sign) FILTER (WHERE retried_as IS NULL), 0) <> 0
      ORDER BY error_group
      ON CONFLICT (message, shard) DO UPDATE SET count = failure_groups.count + excluded.count,
        open_count = failure_groups.open_count + excluded.open_count
  )
  INSERT INTO failure_group_tasks (message, task, shard, count)
    SELECT error_group, task, jobdeck_count_shard(), sum(sign)
    FROM rows WHERE state = 'failure' GROUP BY error_group, task HAVING sum(sign) <> 0
    ORDER BY error_group, task
    ON CONFLICT (message, task, shard) DO UPDATE SET count = failure_group_tasks.count + excluded.count;
$$;--> statement-breakpoint
CREATE FUNCTION jobdeck_results_counts() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
  d jsonb;
BEGIN
  -- Only the columns the counts read; each branch names only the transition tables its event has.
  IF TG_OP = 'INSERT' THEN
    SELECT jsonb_agg(jsonb_build_object('sign', 1, 'state', state, 'stopped_at', stopped_at,
      'error_group', error_group, 'task', task, 'retried_as', retried_as)) INTO d FROM new_rows;
  ELSIF TG_OP = 'DELETE' THEN
    SELECT jsonb_agg(jsonb_build_object('sign', -1, 'state', state, 'stopped_at', stopped_at,
      'error_group', error_group, 'task', task, 'retried_as', retried_as)) INTO d FROM old_rows;
  ELSE
    -- An update counts only rows whose counted columns changed: OLD out, NEW in.
    SELECT jsonb_agg(x) INTO d FROM (
      SELECT jsonb_build_object('sign', -1, 'state', o.state, 'stopped_at', o.stopped_at,
        'error_group', o.error_group, 'task', o.task, 'retried_as', o.retried_as) AS x
      FROM old_rows o JOIN new_rows n ON n.id = o.id
      WHERE (o.state, o.error_group, o.task, o.retried_as IS NULL)
        IS DISTINCT FROM (n.state, n.error_group, n.task, n.retried_as IS NULL)
      UNION ALL
      SELECT jsonb_build_object('sign', 1, 'state', n.state, 'stopped_at', n.stopped_at,
        'error_group', n.error_group, 'task', n.task, 'retried_as', n.retried_as)
      FROM old_rows o JOIN new_rows n ON n.id = o.id
      WHERE (o.state, o.error_group, o.task, o.retried_as IS NULL)
        IS DISTINCT FROM (n.state, n.error_group, n.task, n.retried_as IS NULL)
    ) changed;
  END IF;
  IF d IS NOT NULL THEN
    PERFORM jobdeck_add_result_counts(d, TG_OP = 'INSERT');
  END IF;
  RETURN NULL;
END $$;--> statement-breakpoint
CREATE TRIGGER results_counts_insert AFTER INSERT ON results
  REFERENCING NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION jobdeck_results_counts();--> statement-breakpoint
CREATE TRIGGER results_counts_delete AFTER DELETE ON results
  REFERENCING OLD TABLE AS old_rows FOR EACH STATEMENT EXECUTE FUNCTION jobdeck_results_counts();--> statement-breakpoint
CREATE TRIGGER results_counts_update AFTER UPDATE ON results
  REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows
  FOR EACH STATEMENT EXECUTE FUNCTION jobdeck_results_counts();--> statement-breakpoint
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
