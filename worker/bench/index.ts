/**
 * `npm run bench`: Jobdeck's benchmarks on fresh throwaway databases. Prints one
 * `metric value unit` line per figure. BENCH_SCALE (default 1) scales the job counts down for a
 * quick look (e.g. BENCH_SCALE=0.1).
 */
import { spawn } from "node:child_process";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { connect } from "@/db";
import { openStore, type Store } from "@/db/store";

const SCALE = Number(process.env.BENCH_SCALE ?? "1");
const n = (count: number) => Math.max(100, Math.round(count * SCALE));

function emit(metric: string, value: number, unit: string): void {
  console.log(`${metric} ${Number.isInteger(value) ? value : value.toFixed(2)} ${unit}`);
}

async function freshStore(): Promise<{ url: string; store: Store; dir: string }> {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "jobdeck-bench-"));
  const url = path.join(dir, "bench.db");
  return { url, store: await openStore({ url }), dir };
}

function percentile(values: number[], p: number): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))] ?? NaN;
}

function runWorkers(url: string, count: number, args: string[]): Promise<number[]> {
  const peaks: number[] = [];
  const procs = Array.from({ length: count }, (_, i) => {
    const proc = spawn(process.execPath, ["worker/run.mjs", ...args], {
      env: { ...process.env, DATABASE_URL: url, JOBDECK_SAVE_LIMIT: "0" },
      stdio: ["ignore", "ignore", "inherit"],
    });
    peaks[i] = 0;
    const timer = setInterval(() => {
      try {
        const status = fs.readFileSync(`/proc/${proc.pid}/status`, "utf8");
        const kb = Number(/VmRSS:\s+(\d+)/.exec(status)?.[1] ?? 0);
        peaks[i] = Math.max(peaks[i]!, kb / 1024);
      } catch {
        // exited
      }
    }, 100);
    return new Promise<void>((resolve) =>
      proc.on("exit", () => {
        clearInterval(timer);
        resolve();
      }),
    );
  });
  return Promise.all(procs).then(() => peaks);
}

async function benchEnqueue(): Promise<void> {
  const { url, store, dir } = await freshStore();
  const q = connect(url);
  const single = n(30_000);
  await q.enqueue("demo.noop");
  let t = performance.now();
  for (let i = 0; i < single; i++) await q.enqueue("demo.noop", { i });
  emit("enqueue_single_jobs_per_s", single / ((performance.now() - t) / 1000), "jobs/s");
  const bulk = n(500_000);
  const batch = Array.from({ length: 10_000 }, (_, i) => ({ task: "demo.noop", args: { i } }));
  t = performance.now();
  for (let done = 0; done < bulk; done += batch.length) await store.library.enqueueMany(batch);
  emit("enqueue_many_jobs_per_s", bulk / ((performance.now() - t) / 1000), "jobs/s");
  await store.close();
  fs.rmSync(dir, { recursive: true, force: true });
}

async function benchEndToEnd(workers: number, preload: number): Promise<void> {
  const { url, store, dir } = await freshStore();
  if (preload > 0) await store.maintenance.seedRows({ successes: preload, failures: 0, queued: 0 });
  const jobs = n(100_000);
  for (let done = 0; done < jobs; done += 10_000) {
    await store.library.enqueueMany(
      Array.from({ length: Math.min(10_000, jobs - done) }, () => ({ task: "demo.noop" })),
    );
  }
  const peaks = await runWorkers(url, workers, ["--concurrency", "8", "--burst", "--no-scheduler"]);
  const label = preload > 0 ? `_with_${preload}_successes` : "";
  // Jobs/s from the first start to the last stop recorded in results (excludes process start-up).
  const throughput = await store.maintenance.measureThroughput();
  emit(`e2e_${workers}w_c8${label}_jobs_per_s`, throughput, "jobs/s");
  if (workers === 1 && preload === 0) emit("worker_rss_under_load_mb", Math.max(...peaks), "MB");
  await store.close();
  fs.rmSync(dir, { recursive: true, force: true });
}

async function benchPickupAndIdleMemory(): Promise<void> {
  const { url, store, dir } = await freshStore();
  const proc = spawn(process.execPath, ["worker/run.mjs", "--concurrency", "8", "--no-scheduler"], {
    env: { ...process.env, DATABASE_URL: url },
    stdio: ["ignore", "pipe", "inherit"],
  });
  await new Promise<void>((resolve) =>
    proc.stdout!.on("data", (c: Buffer) => c.toString().includes("worker:started") && resolve()),
  );
  await new Promise((r) => setTimeout(r, 2000));
  const status = fs.readFileSync(`/proc/${proc.pid}/status`, "utf8");
  emit("worker_rss_idle_mb", Number(/VmRSS:\s+(\d+)/.exec(status)?.[1] ?? 0) / 1024, "MB");
  const ids: number[] = [];
  for (let i = 0; i < 200; i++) {
    ids.push((await store.library.enqueueMany([{ task: "demo.noop" }]))[0]!);
    await new Promise((r) => setTimeout(r, 15));
  }
  await new Promise((r) => setTimeout(r, 500));
  const rows = await store.maintenance.measurePickupDelays(ids);
  emit("pickup_latency_p50_ms", percentile(rows, 50), "ms");
  emit("pickup_latency_p99_ms", percentile(rows, 99), "ms");
  proc.kill("SIGTERM");
  await new Promise((r) => proc.on("exit", r));
  await store.close();
  fs.rmSync(dir, { recursive: true, force: true });
}

async function timeIt(fn: () => Promise<unknown>, runs = 30): Promise<number> {
  const times: number[] = [];
  await fn();
  for (let i = 0; i < runs; i++) {
    const t = performance.now();
    await fn();
    times.push(performance.now() - t);
  }
  return percentile(times, 95);
}

async function benchDashboardQueries(): Promise<void> {
  const { store, dir } = await freshStore();
  const { reads } = store;
  await store.maintenance.seedRows({
    successes: n(1_000_000),
    failures: n(100_000),
    queued: n(10_000),
  });
  const first = await reads.listResults({
    state: "failure",
    sort: "stopped",
    dir: "desc",
    limit: 50,
  });
  const deep = await reads.listResults({
    state: "success",
    sort: "stopped",
    dir: "desc",
    limit: 50,
  });
  let cursor = deep.next;
  for (let i = 0; i < 200 && cursor; i++) {
    cursor = (
      await reads.listResults({
        state: "success",
        sort: "stopped",
        dir: "desc",
        limit: 50,
        cursor,
      })
    ).next;
  }
  const cases: [string, () => Promise<unknown>][] = [
    [
      "successes_first_page",
      () => reads.listResults({ state: "success", sort: "stopped", dir: "desc", limit: 50 }),
    ],
    [
      "successes_filtered_page",
      () =>
        reads.listResults({
          state: "success",
          task: "demo.echo",
          queue: "mail",
          sort: "stopped",
          dir: "desc",
          limit: 50,
        }),
    ],
    [
      "successes_by_duration",
      () => reads.listResults({ state: "success", sort: "duration", dir: "desc", limit: 50 }),
    ],
    [
      "successes_deep_keyset_page",
      () =>
        reads.listResults({ state: "success", sort: "stopped", dir: "desc", limit: 50, cursor }),
    ],
    [
      "failures_first_page",
      () => reads.listResults({ state: "failure", sort: "stopped", dir: "desc", limit: 50 }),
    ],
    ["failure_groups", () => reads.listFailureGroups()],
    ["queue_page", () => reads.listQueuedJobs({ limit: 50 })],
    [
      "overview",
      async () => {
        await reads.getQueueStats();
        await reads.getThroughput(Date.now() - 3_600_000);
        await reads.countOutcomesSince(Date.now() - 86_400_000);
        await reads.listWorkers();
        await reads.listLatestFailures();
      },
    ],
    ["job_page", () => reads.getJobDetail(first.rows[0]!.id)],
  ];
  for (const [name, fn] of cases) emit(`dashboard_${name}_p95_ms`, await timeIt(fn), "ms");
  const failures = (
    await reads.listResults({ state: "failure", sort: "stopped", dir: "desc", limit: 50 })
  ).rows;
  let i = 0;
  emit(
    "dashboard_failure_retry_p95_ms",
    await timeIt(() =>
      store.admin.retryFailures(
        { ids: [failures[i++ % failures.length]!.id] },
        { name: "bench", address: null },
      ),
    ),
    "ms",
  );
  emit(
    "dashboard_search_args_p95_ms",
    await timeIt(
      () =>
        reads.listResults({
          state: "success",
          q: "customer-4242",
          sort: "stopped",
          dir: "desc",
          limit: 50,
        }),
      5,
    ),
    "ms",
  );
  emit(
    "dashboard_search_errors_p95_ms",
    await timeIt(
      () =>
        reads.listResults({
          state: "failure",
          q: "payment declined",
          sort: "stopped",
          dir: "desc",
          limit: 50,
        }),
      5,
    ),
    "ms",
  );
  await store.close();
  fs.rmSync(dir, { recursive: true, force: true });
}

async function main(): Promise<void> {
  console.error(
    `# jobdeck bench on ${os.cpus().length} × ${os.cpus()[0]?.model ?? "cpu"}, node ${process.version}, scale ${SCALE}`,
  );
  const only = process.argv[2];
  if (!only || only === "enqueue") await benchEnqueue();
  if (only === "e2e1") await benchEndToEnd(1, 0);
  if (only === "e2e4") await benchEndToEnd(4, 0);
  if (!only || only === "e2e") {
    await benchEndToEnd(1, 0);
    await benchEndToEnd(4, 0);
    await benchEndToEnd(1, n(1_000_000));
  }
  if (!only || only === "pickup") await benchPickupAndIdleMemory();
  if (!only || only === "dashboard") await benchDashboardQueries();
}

void main();
