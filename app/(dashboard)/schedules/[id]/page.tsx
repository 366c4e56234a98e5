import type { Metadata } from "next";
import Link from "next/link";
import { notFound } from "next/navigation";
import { connection } from "next/server";
import { requireUser } from "@/app/_lib/auth";
import { getStore } from "@/db/store";
import { PageHeader } from "@/components/ui/card";
import { ScheduleForm } from "@/components/schedules/schedule-form";
import { ScheduleRowActions } from "@/components/schedules/schedule-row-actions";
import { scheduleToValues, timezoneNames } from "../../_lib/schedule-form-values";

type Props = { params: Promise<{ id: string }> };

export async function generateMetadata({ params }: Props): Promise<Metadata> {
  return { title: `Schedule #${(await params).id}` };
}

/** The form to edit one schedule, with Run now and Delete. */
export default async function EditSchedulePage({ params }: Props) {
  await connection();
  const user = await requireUser();
  const raw = (await params).id;
  const reads = getStore().reads;
  const schedule = /^\d{1,15}$/.test(raw) ? await reads.getSchedule(Number(raw)) : null;
  if (!schedule) notFound();
  const tasks = (await reads.listTasks()).map((t) => t.name);
  return (
    <>
      <p className="mb-1 text-sm text-zinc-500">
        <Link href="/schedules" className="hover:underline">
          Schedules
        </Link>{" "}
        / #{schedule.id}
      </p>
      <PageHeader
        title={`Edit “${schedule.name}”`}
        description="Changes apply from the next run. The preview shows the next five runs."
        actions={
          user.role === "admin" && (
            <ScheduleRowActions id={schedule.id} name={schedule.name} afterDelete="/schedules" />
          )
        }
      />
      <ScheduleForm
        initial={scheduleToValues(schedule)}
        tasks={tasks}
        timezones={timezoneNames()}
      />
    </>
  );
}
