-- A job inserted with an id that was used before fails instead of silently taking it. Jobdeck
-- names every new job's id (NEXT_JOB_ID in db/queries/insert-jobs.ts); a writer that leaves the
-- id to SQLite (a process still running a release from before 0006, or a hand-written INSERT)
-- gets the live queue's largest id plus one, which can be a finished job's id still in
-- `results`. One index probe per insert; no page is written.
CREATE TRIGGER `jobs_id_reuse_guard` AFTER INSERT ON `jobs`
  WHEN NEW.`id` <= (SELECT `value` FROM `counters` WHERE `name` = 'job_id_floor')
    OR EXISTS (SELECT 1 FROM `results` WHERE `id` = NEW.`id`) BEGIN
  SELECT RAISE(ABORT, 'job id already used: give new jobs the next id (NEXT_JOB_ID in db/queries/insert-jobs.ts); every process writing this database must run Jobdeck with migration 0006 or later');
END;
