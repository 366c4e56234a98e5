"use client";
import { useQuery } from "@tanstack/react-query";
import clsx from "clsx";
import Link from "next/link";
import type { OverviewPayload } from "@/app/(dashboard)/_lib/data";
import { overviewQuery } from "@/app/(dashboard)/_lib/queries";
import { Badge } from "@/components/ui/badge";
import { Card, EmptyState } from "@/components/ui/card";
import { firstLine, formatCount, formatIsoTime, jobDisplayName } from "@/components/ui/format";
import { useLiveInterval } from "@/components/ui/live";
import { Table, Td, Th, Tr } from "@/components/ui/table";
import { formatRelative, Time } from "@/components/ui/time";
import { TaskName } from "./task-name";
import { ThroughputChart } from "./throughput-chart";

function Stat({
  label,
  value,
  href,
  tone,
  hint,
}: {
  label: string;
  value: number;
  href: string;
  tone?: "red" | "blue" | "green";
  hint?: string;
}) {
  return (
    <Link
      href={href}
      className="group rounded-xl border border-zinc-200 bg-white p-4 shadow-sm transition hover:border-indigo-300 hover:shadow dark:border-zinc-800 dark:bg-zinc-900 dark:hover:border-indigo-700"
    >
      <p className="text-xs font-medium tracking-wide text-zinc-500 uppercase dark:text-zinc-400">
        {label}
      </p>
      <p
        className={clsx(
          "mt-1 text-2xl font-semibold tabular-nums",
          tone === "red" && value > 0 && "text-rose-600 dark:text-rose-400",
          tone === "blue" && value > 0 && "text-sky-600 dark:text-sky-400",
          tone === "green" && "text-emerald-600 dark:text-emerald-400",
        )}
      >
        {formatCount(value)}
      </p>
      {hint && <p className="mt-0.5 text-xs text-zinc-400">{hint}</p>}
    </Link>
  );
}

/** The Overview, refreshed live: counts, throughput, workers, latest failures. */
export function OverviewLive({ initialData }: { initialData: OverviewPayload }) {
  const interval = useLiveInterval();
  const { data } = useQuery({ ...overviewQuery(), initialData, refetchInterval: interval });
  const { stats } = data;
  const aliveSince = data.now - 60_000;
  return (
    <div className="flex flex-col gap-6">
      <div className="grid grid-cols-2 gap-3 sm:grid-cols-3 lg:grid-cols-7">
        <Stat
          label="Queued"
          value={stats.queued}
          href="/queue"
          hint={
            stats.scheduled ? `${formatCount(stats.scheduled)} scheduled later` : "ready to run"
          }
        />
        <Stat
          label="Running"
          value={stats.running}
          href="/queue"
          tone="blue"
          hint={`${stats.workers} worker${stats.workers === 1 ? "" : "s"} alive`}
        />
        <Stat
          label="Successes · 1 h"
          value={data.lastHour.success}
          href="/successes?range=1h"
          tone="green"
        />
        <Stat
          label="Failures · 1 h"
          value={data.lastHour.failure}
          href="/failures?range=1h"
          tone="red"
        />
        <Stat
          label="Successes · 24 h"
          value={data.lastDay.success}
          href="/successes?range=24h"
          hint={`${formatCount(stats.success)} kept in total`}
        />
        <Stat
          label="Failures · 24 h"
          value={data.lastDay.failure}
          href="/failures?range=24h"
          tone="red"
          hint={`${formatCount(stats.failure)} kept in total`}
        />
        <Stat label="Schedules" value={stats.schedules} href="/schedules" />
      </div>

      <Card
        title="Throughput, last hour"
        actions={
          <div className="flex items-center gap-3 text-xs text-zinc-500">
            <span className="flex items-center gap-1">
              <span className="size-2 rounded-sm bg-emerald-500" /> Successes
            </span>
            <span className="flex items-center gap-1">
              <span className="size-2 rounded-sm bg-rose-500" /> Failures
            </span>
          </div>
        }
      >
        <ThroughputChart points={data.throughput} />
      </Card>

      <div className="grid grid-cols-1 gap-6 xl:grid-cols-2">
        <Card title="Workers" bodyClassName="">
          {data.workers.length === 0 ? (
            <EmptyState title="No workers running">
              Start one with <code className="font-mono text-xs">npm run worker</code>; it appears
              here with its heartbeat.
            </EmptyState>
          ) : (
            <Table>
              <thead>
                <tr>
                  <Th>Worker</Th>
                  <Th>Last heartbeat</Th>
                  <Th className="text-right">Concurrency</Th>
                  <Th className="text-right">Done</Th>
                  <Th className="w-full">Running now</Th>
                </tr>
              </thead>
              <tbody>
                {data.workers.map((w) => {
                  const isAlive = w.stoppedAt === null && w.lastHeartbeatAt > aliveSince;
                  return (
                    <Tr key={w.id}>
                      <Td>
                        <div className="flex items-center gap-2">
                          <span
                            className={clsx(
                              "size-2 rounded-full",
                              isAlive ? "bg-emerald-500" : "bg-zinc-300 dark:bg-zinc-600",
                            )}
                            title={isAlive ? "Alive" : w.stoppedAt ? "Stopped" : "Not heard from"}
                          />
                          <div className="flex flex-col">
                            <span className="font-mono text-xs" title={w.id}>
                              {w.host}:{w.pid}
                            </span>
                            <span className="text-xs text-zinc-400">
                              queues: {w.queues || "all"}
                            </span>
                          </div>
                        </div>
                      </Td>
                      <Td className="whitespace-nowrap text-zinc-600 dark:text-zinc-300">
                        {w.stoppedAt ? (
                          <Badge>stopped</Badge>
                        ) : (
                          <span title={formatIsoTime(w.lastHeartbeatAt)}>
                            {formatRelative(w.lastHeartbeatAt, data.now)}
                          </span>
                        )}
                      </Td>
                      <Td className="text-right tabular-nums">
                        {w.running.length}/{w.concurrency}
                      </Td>
                      <Td className="text-right tabular-nums">{formatCount(w.jobsDone)}</Td>
                      <Td>
                        <div className="flex flex-wrap gap-1">
                          {w.running.length === 0 && (
                            <span className="text-xs text-zinc-400">idle</span>
                          )}
                          {w.running.slice(0, 6).map((j) => (
                            <Link key={j.id} href={`/jobs/${j.id}`}>
                              <Badge tone="blue">
                                {jobDisplayName(j)} · {j.task}
                                {j.progress !== null ? ` · ${Math.round(j.progress * 100)}%` : ""}
                              </Badge>
                            </Link>
                          ))}
                          {w.running.length > 6 && <Badge>+{w.running.length - 6}</Badge>}
                        </div>
                      </Td>
                    </Tr>
                  );
                })}
              </tbody>
            </Table>
          )}
        </Card>

        <Card
          title="Latest failures"
          bodyClassName=""
          actions={
            <Link
              href="/failures"
              className="text-xs font-medium text-indigo-600 hover:underline dark:text-indigo-400"
            >
              All failures →
            </Link>
          }
        >
          {data.latestFailures.length === 0 ? (
            <EmptyState title="No failures">
              Nothing has failed. Failed jobs show up here first.
            </EmptyState>
          ) : (
            <Table>
              <thead>
                <tr>
                  <Th>Name</Th>
                  <Th>Task</Th>
                  <Th className="w-full">Error</Th>
                  <Th>Stopped</Th>
                </tr>
              </thead>
              <tbody>
                {data.latestFailures.map((f) => (
                  <Tr key={f.id}>
                    <Td className="max-w-40 truncate">
                      <Link
                        href={`/jobs/${f.id}`}
                        className="font-medium hover:text-indigo-600 hover:underline"
                      >
                        {jobDisplayName(f)}
                      </Link>
                    </Td>
                    <Td>
                      <TaskName name={f.task} />
                    </Td>
                    <Td
                      className="max-w-xs truncate font-mono text-xs text-rose-700 dark:text-rose-300"
                      title={firstLine(f.preview, 300)}
                    >
                      {firstLine(f.preview, 120)}
                    </Td>
                    <Td className="whitespace-nowrap text-zinc-600 dark:text-zinc-300">
                      <Time ms={f.stoppedAt} />
                    </Td>
                  </Tr>
                ))}
              </tbody>
            </Table>
          )}
        </Card>
      </div>
    </div>
  );
}
