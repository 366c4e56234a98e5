import type { Metadata } from "next";
import Link from "next/link";
import { notFound } from "next/navigation";
import { connection } from "next/server";
import type { ReactNode } from "react";
import { requireUser } from "@/app/_lib/auth";
import { maskJobDetail } from "@/app/(dashboard)/_lib/data";
import { MASK } from "@/app/_lib/mask-secrets";
import { getStore } from "@/db/store";
import type { JobDetail, LineageLink } from "@/db/store/reads";
import { Badge } from "@/components/ui/badge";
import { Card } from "@/components/ui/card";
import { CodeBlock } from "@/components/ui/code-block";
import { ExpandableText } from "@/components/ui/expandable-text";
import { formatDuration, jobDisplayName, visibleText } from "@/components/ui/format";
import { ProgressBar } from "@/components/ui/progress-bar";
import { Table, Td, Th, Tr } from "@/components/ui/table";
import { Time } from "@/components/ui/time";
import { JobActions } from "@/components/jobs/job-actions";
import { JobStateBadge } from "@/components/jobs/job-state-badge";
import { JobTimeline } from "@/components/jobs/job-timeline";
import { LiveRefresher } from "@/components/jobs/live-refresher";
import { TaskName } from "@/components/jobs/task-name";
import { RevealSecrets } from "./reveal-client";

type Props = { params: Promise<{ id: string }> };

function parseId(raw: string): number | null {
  return /^\d{1,15}$/.test(raw) ? Number(raw) : null;
}

export async function generateMetadata({ params }: Props): Promise<Metadata> {
  const { id } = await params;
  return { title: `Job #${id}` };
}

function Row({ label, children }: { label: string; children: ReactNode }) {
  return (
    <div className="flex justify-between gap-4 py-2 text-sm">
      <dt className="text-zinc-500 dark:text-zinc-400">{label}</dt>
      <dd className="min-w-0 text-right break-words text-zinc-900 dark:text-zinc-100">
        {children}
      </dd>
    </div>
  );
}

function Lineage({ links }: { links: LineageLink[] }) {
  return (
    <span className="flex flex-wrap justify-end gap-1">
      {links.map((l) => (
        <Link key={l.id} href={`/jobs/${l.id}`} className="hover:underline">
          <Badge
            tone={
              l.state === "success"
                ? "green"
                : l.state === "failure"
                  ? "red"
                  : l.state === "deleted"
                    ? "gray"
                    : "blue"
            }
          >
            #{l.id} · {l.state}
          </Badge>
        </Link>
      ))}
    </span>
  );
}

const OUTCOME_TONE = {
  success: "green",
  error: "red",
  timeout: "amber",
  lost: "gray",
  cancelled: "violet",
} as const;

function Details({ job }: { job: JobDetail }) {
  return (
    <dl className="divide-y divide-zinc-100 dark:divide-zinc-800">
      <Row label="ID">#{job.id}</Row>
      <Row label="Task">
        <TaskName name={job.task} />
      </Row>
      <Row label="Queue">{visibleText(job.queue)}</Row>
      <Row label="Priority">{job.priority}</Row>
      <Row label="Group">
        {job.groupName ? (
          <Link
            className="text-indigo-600 hover:underline dark:text-indigo-400"
            href={`/${job.state === "failure" ? "failures" : "successes"}?group=${encodeURIComponent(job.groupName)}`}
          >
            {visibleText(job.groupName)}
          </Link>
        ) : (
          "—"
        )}
      </Row>
      <Row label="Schedule">
        {job.scheduleId ? (
          <Link
            className="text-indigo-600 hover:underline dark:text-indigo-400"
            href={`/schedules/${job.scheduleId}`}
          >
            {job.scheduleName ?? `#${job.scheduleId}`}
          </Link>
        ) : (
          "—"
        )}
      </Row>
      <Row label="Created">
        <Time ms={job.createdAt} />
      </Row>
      {job.runAt !== null && (
        <Row label="Run at">
          <Time ms={job.runAt} />
        </Row>
      )}
      <Row label="Started">
        <Time ms={job.startedAt} />
      </Row>
      {job.stoppedAt !== null && (
        <Row label="Stopped">
          <Time ms={job.stoppedAt} />
        </Row>
      )}
      <Row label="Duration">{formatDuration(job.durationMs)}</Row>
      <Row label="Attempts">
        {job.attempts}
        {job.maxAttempts ? ` of ${job.maxAttempts}` : ""}
      </Row>
      <Row label="Max attempts">{job.maxAttempts ?? "—"}</Row>
      <Row label="Timeout">
        {job.timeoutMs === null ? "worker's --timeout" : formatDuration(job.timeoutMs)}
      </Row>
      <Row label="Hook">{job.hook ? <TaskName name={job.hook} /> : "—"}</Row>
      <Row label="Worker">
        <span className="font-mono text-xs">{job.workerId ?? "—"}</span>
      </Row>
      {job.ancestors.length > 0 && (
        <Row label="Retry of">
          <Lineage links={job.ancestors} />
        </Row>
      )}
      {job.descendants.length > 0 && (
        <Row label="Retried as">
          <Lineage links={job.descendants} />
        </Row>
      )}
    </dl>
  );
}

/** Everything about one job: arguments, result or error with stack, attempts, timeline, lineage. */
export default async function JobPage({ params }: Props) {
  await connection();
  const user = await requireUser();
  const id = parseId((await params).id);
  const found = id === null ? null : await getStore().reads.getJobDetail(id);
  if (!found) notFound();
  // Masked for every role (docs/SECURITY.md); admins may Reveal, which is audited.
  const job = maskJobDetail(found);
  const isLive = job.state === "queued" || job.state === "running";
  return (
    <div className="flex flex-col gap-6">
      {isLive && <LiveRefresher />}
      <div className="flex flex-wrap items-start justify-between gap-4">
        <div className="min-w-0">
          <p className="text-sm text-zinc-500">
            <Link
              href={
                job.state === "failure"
                  ? "/failures"
                  : job.state === "success"
                    ? "/successes"
                    : "/queue"
              }
              className="hover:underline"
            >
              {job.state === "failure"
                ? "Failures"
                : job.state === "success"
                  ? "Successes"
                  : "Queue"}
            </Link>{" "}
            / Job #{job.id}
          </p>
          <h1 className="mt-1 flex flex-wrap items-center gap-3 text-2xl font-semibold tracking-tight break-all">
            {jobDisplayName(job)}
            <JobStateBadge state={job.state} />
            {job.retriedAs !== null && (
              <Link href={`/jobs/${job.retriedAs}`}>
                <Badge tone="violet">Retried as #{job.retriedAs}</Badge>
              </Link>
            )}
            {job.cancelRequestedAt !== null && <Badge tone="amber">Cancel requested</Badge>}
          </h1>
          <p className="mt-1 text-sm text-zinc-500">
            <TaskName name={job.task} /> on queue{" "}
            <bdi className="font-medium text-zinc-700 dark:text-zinc-300">
              {visibleText(job.queue)}
            </bdi>
          </p>
        </div>
        {user.role === "admin" && (
          <JobActions
            id={job.id}
            state={job.state}
            isRetried={job.retriedAs !== null}
            isCancelRequested={job.cancelRequestedAt !== null}
          />
        )}
      </div>

      <div className="grid gap-6 lg:grid-cols-[minmax(0,1fr)_22rem]">
        <div className="flex min-w-0 flex-col gap-6">
          {job.state === "running" && (
            <Card title="Progress">
              <ProgressBar value={job.progress} label={job.progressMessage} />
            </Card>
          )}
          {job.state === "failure" && (
            <Card title="Error">
              <div className="flex flex-col gap-3">
                <ExpandableText
                  text={job.error ?? "(no message)"}
                  className="text-sm font-medium text-rose-700 dark:text-rose-300"
                />
                {job.errorStack && <CodeBlock label="Stack" value={job.errorStack} tone="error" />}
              </div>
            </Card>
          )}
          {job.state === "success" && (
            <Card title="Result">
              <CodeBlock label="Result" value={job.result ?? "null"} isJson />
            </Card>
          )}
          {isLive && job.error && (
            <Card title="Last error (will retry)">
              <ExpandableText
                text={job.error}
                className="text-sm text-rose-700 dark:text-rose-300"
              />
            </Card>
          )}
          <Card title="Arguments">
            <CodeBlock label="Arguments" value={job.args} isJson />
          </Card>
          {user.role === "admin" && JSON.stringify(job).includes(MASK) && (
            <Card title="Secrets">
              <RevealSecrets id={job.id} />
            </Card>
          )}
          <Card title={`Attempts (${job.attemptRows.length})`} bodyClassName="">
            {job.attemptRows.length === 0 ? (
              <p className="px-4 py-6 text-sm text-zinc-500">
                {isLive ? "No attempt has finished yet." : "This job never ran."}
              </p>
            ) : (
              <Table aria-label="Attempts">
                <thead>
                  <tr>
                    <Th>#</Th>
                    <Th>Outcome</Th>
                    <Th>Worker</Th>
                    <Th>Started</Th>
                    <Th>Stopped</Th>
                    <Th className="text-right">Duration</Th>
                    <Th className="w-full">Error</Th>
                  </tr>
                </thead>
                <tbody>
                  {job.attemptRows.map((a) => (
                    <Tr key={a.id}>
                      <Td className="tabular-nums">{a.attempt}</Td>
                      <Td>
                        <Badge tone={OUTCOME_TONE[a.outcome]}>{a.outcome}</Badge>
                      </Td>
                      <Td
                        className="max-w-40 truncate font-mono text-xs"
                        title={a.workerId ?? undefined}
                      >
                        {a.workerId ?? "—"}
                      </Td>
                      <Td className="whitespace-nowrap">
                        <Time ms={a.startedAt} />
                      </Td>
                      <Td className="whitespace-nowrap">
                        <Time ms={a.stoppedAt} />
                      </Td>
                      <Td className="text-right whitespace-nowrap tabular-nums">
                        {formatDuration(a.durationMs)}
                      </Td>
                      <Td className="max-w-md align-top">
                        {a.error ? (
                          <details className="group">
                            <summary className="cursor-pointer truncate font-mono text-xs text-rose-700 dark:text-rose-300">
                              {a.error.split("\n", 1)[0]}
                            </summary>
                            <div className="mt-2">
                              <CodeBlock
                                label={`Attempt ${a.attempt} stack`}
                                value={a.errorStack ?? a.error}
                                tone="error"
                                max={3000}
                              />
                            </div>
                          </details>
                        ) : (
                          <span className="text-zinc-400">—</span>
                        )}
                      </Td>
                    </Tr>
                  ))}
                </tbody>
              </Table>
            )}
          </Card>
        </div>
        <div className="flex flex-col gap-6">
          <Card title="Details">
            <Details job={job} />
          </Card>
          <Card title="Timeline">
            <JobTimeline job={job} />
          </Card>
        </div>
      </div>
    </div>
  );
}
