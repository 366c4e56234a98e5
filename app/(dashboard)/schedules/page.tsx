import type { Metadata } from "next";
import Link from "next/link";
import { connection } from "next/server";
import { requireUser } from "@/app/_lib/auth";
import { getStore } from "@/db/store";
import { describeSchedule } from "@/db/schedule-rules";
import { Badge } from "@/components/ui/badge";
import { ButtonLink } from "@/components/ui/button";
import { EmptyState, PageHeader } from "@/components/ui/card";
import { Table, Td, Th, Tr } from "@/components/ui/table";
import { visibleText } from "@/components/ui/format";
import { Time } from "@/components/ui/time";
import { JobStateBadge } from "@/components/jobs/job-state-badge";
import { LiveRefresher } from "@/components/jobs/live-refresher";
import { TaskName } from "@/components/jobs/task-name";
import { EnabledSwitch, ScheduleRowActions } from "@/components/schedules/schedule-row-actions";

export const metadata: Metadata = { title: "Schedules" };

/** Periodic schedules with their rule in words, next and last run; enable, run now, delete. */
export default async function SchedulesPage({
  searchParams,
}: {
  searchParams: Promise<Record<string, string | string[] | undefined>>;
}) {
  await connection();
  const user = await requireUser();
  const after = Number((await searchParams).after ?? 0);
  const pageSize = 100;
  const rows = await getStore().reads.listSchedules({
    afterId: Number.isInteger(after) && after > 0 ? after : 0,
    limit: pageSize + 1,
  });
  const page = rows.slice(0, pageSize);
  const canEdit = user.role === "admin";
  const newSchedule = canEdit && (
    <ButtonLink href="/schedules/new" variant="primary">
      New schedule
    </ButtonLink>
  );
  return (
    <>
      <LiveRefresher />
      <PageHeader
        title="Schedules"
        description="Rules that create jobs periodically, in their own timezone."
        actions={newSchedule}
      />
      <div className="rounded-xl border border-zinc-200 bg-white shadow-sm dark:border-zinc-800 dark:bg-zinc-900">
        {page.length === 0 ? (
          <EmptyState title="No schedules yet" action={newSchedule}>
            A schedule runs a task every N minutes, daily, weekly, monthly… or on a cron expression.
          </EmptyState>
        ) : (
          <Table aria-label="Schedules">
            <thead>
              <tr>
                <Th>Name</Th>
                <Th>Task</Th>
                <Th className="w-full">Schedule</Th>
                <Th>Next run</Th>
                <Th>Last run</Th>
                <Th className="text-right">Repeats</Th>
                <Th>Enabled</Th>
                {canEdit && <Th className="text-right">Actions</Th>}
              </tr>
            </thead>
            <tbody>
              {page.map((s) => (
                <Tr key={s.id}>
                  <Td className="max-w-48">
                    <Link
                      href={`/schedules/${s.id}`}
                      className="block truncate font-medium hover:text-indigo-600 hover:underline dark:hover:text-indigo-400"
                      title={s.name}
                    >
                      {visibleText(s.name)}
                    </Link>
                  </Td>
                  <Td>
                    <TaskName name={s.task} />
                  </Td>
                  <Td className="max-w-sm">
                    <div className="flex items-center gap-2">
                      <Badge tone="violet">{s.scheduleType}</Badge>
                      <span
                        className="truncate text-zinc-700 dark:text-zinc-300"
                        title={describeSchedule({ ...s, anchorAt: s.nextRunAt })}
                      >
                        {describeSchedule({ ...s, anchorAt: s.nextRunAt })}
                      </span>
                    </div>
                  </Td>
                  <Td className="whitespace-nowrap">
                    {s.isEnabled && s.nextRunAt ? (
                      <Time ms={s.nextRunAt} />
                    ) : (
                      <span className="text-zinc-400">—</span>
                    )}
                  </Td>
                  <Td className="whitespace-nowrap">
                    {s.lastRun ? (
                      <Link
                        href={`/jobs/${s.lastRun.jobId}`}
                        className="flex items-center gap-2 hover:underline"
                      >
                        <JobStateBadge
                          state={s.lastRun.outcome === "unknown" ? "deleted" : s.lastRun.outcome}
                        />
                        <Time ms={s.lastRun.at} />
                      </Link>
                    ) : (
                      <span className="text-zinc-400">never</span>
                    )}
                  </Td>
                  <Td className="text-right tabular-nums">
                    {s.repeats === -1 ? "Forever" : `${s.repeats} left`}
                  </Td>
                  <Td>
                    <EnabledSwitch
                      id={s.id}
                      name={s.name}
                      isEnabled={s.isEnabled}
                      canEdit={canEdit}
                    />
                  </Td>
                  {canEdit && (
                    <Td>
                      <ScheduleRowActions id={s.id} name={s.name} />
                    </Td>
                  )}
                </Tr>
              ))}
            </tbody>
          </Table>
        )}
        {rows.length > pageSize && (
          <nav
            aria-label="Pages"
            className="flex justify-end gap-2 border-t border-zinc-200 px-4 py-3 dark:border-zinc-800"
          >
            <ButtonLink size="sm" href="/schedules">
              ← First page
            </ButtonLink>
            <ButtonLink size="sm" href={`/schedules?after=${page[page.length - 1]!.id}`}>
              Next page →
            </ButtonLink>
          </nav>
        )}
      </div>
    </>
  );
}
