/** The demo data `npm start` adds to an empty database, so a newcomer sees successes and failures. */
import type { Db } from "../client";
import { enqueueJobs, type EnqueueInput } from "./enqueue";

/** The settings key that marks a database seeded with the demo. */
export const SEEDED_KEY = "demo_seeded_at";

/** True when the database has never held a job, result or schedule, and was never seeded. */
export function isFreshDatabase(db: Db): boolean {
  const row = db.$client
    .prepare(
      `SELECT (SELECT COUNT(*) FROM settings WHERE key = ?) + (SELECT COUNT(*) FROM (SELECT 1 FROM jobs LIMIT 1))
        + (SELECT COUNT(*) FROM (SELECT 1 FROM results LIMIT 1)) + (SELECT COUNT(*) FROM (SELECT 1 FROM schedules LIMIT 1)) AS n`,
    )
    .get(SEEDED_KEY) as { n: number };
  return row.n === 0;
}

/** Enqueues a mix of demo jobs (echo, sleep, fail, flaky, cpu, noop) and marks the database seeded. */
export function seedDemoJobs(db: Db): number[] {
  const ids = enqueueJobs(db, demoJobs());
  db.$client
    .prepare(`INSERT INTO settings (key, value) VALUES (?, ?) ON CONFLICT (key) DO NOTHING`)
    .run(SEEDED_KEY, String(Date.now()));
  return ids;
}

/** The demo's jobs: a mix of echo, sleep, fail, flaky, cpu and noop. */
export function demoJobs(): EnqueueInput[] {
  return [
    ...Array.from({ length: 8 }, (_, i) => ({
      task: "demo.echo",
      args: { greeting: "hello", n: i + 1 },
      options: { group: "welcome-emails", name: `welcome email #${i + 1}` },
    })),
    ...[300, 800, 1500, 2500, 4000].map((ms) => ({ task: "demo.sleep", args: { ms } })),
    ...Array.from({ length: 3 }, (_, i) => ({
      task: "demo.fail",
      args: { message: `Payment gateway refused card ending 42${i}` },
      options: { maxAttempts: 2, group: "billing" },
    })),
    ...Array.from({ length: 6 }, () => ({
      task: "demo.flaky",
      args: { p: 0.5 },
      options: { maxAttempts: 2 },
    })),
    { task: "demo.cpu", args: { ms: 300 } },
    {
      task: "demo.cpu",
      args: { ms: 10_000 },
      options: { timeout: 2, maxAttempts: 1, name: "report that times out" },
    },
    ...Array.from({ length: 10 }, () => ({ task: "demo.noop" })),
    { task: "demo.echo", args: { later: true }, options: { delay: 120, name: "a job for later" } },
  ];
}
