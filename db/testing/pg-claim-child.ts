/**
 * A worker stand-in for db/pg/claim.test.ts: claims from DATABASE_URL in batches until the queue
 * stays empty, records every job as a success, and prints the ids it claimed as JSON.
 * Usage: node --import tsx db/testing/pg-claim-child.ts <url> <worker id> <batch>
 */
import { claimJobsPg, recordOutcomesPg } from "../pg/claim";
import { dbNow, openPgPool } from "../pg/client";

const [url, workerId, batch] = process.argv.slice(2);
if (!url || !workerId) throw new Error("usage: pg-claim-child.ts <url> <worker id> <batch>");
const pool = openPgPool(url, { max: 2, applicationName: workerId });
const claimed: number[] = [];
let empty = 0;
while (empty < 3) {
  const jobs = await claimJobsPg(pool, workerId, Number(batch ?? 10), null, 30_000);
  if (jobs.length === 0) {
    empty++;
    await new Promise((r) => setTimeout(r, 20));
    continue;
  }
  empty = 0;
  for (const job of jobs) claimed.push(job.id);
  const stoppedAt = await dbNow(pool);
  const lost = await recordOutcomesPg(
    pool,
    workerId,
    jobs.map((job) => ({ kind: "success" as const, job, stoppedAt, result: "null" })),
  );
  if (lost.length > 0) throw new Error(`lost ${lost.length} leases`);
}
await pool.end();
process.stdout.write(JSON.stringify(claimed));
