import type { Metadata } from "next";
import { connection } from "next/server";
import { requireUser } from "@/app/_lib/auth";
import { getStore } from "@/db/store";
import { PageHeader } from "@/components/ui/card";
import { ScheduleForm } from "@/components/schedules/schedule-form";
import { newScheduleValues, timezoneNames } from "../../_lib/schedule-form-values";

export const metadata: Metadata = { title: "New schedule" };

/** The form to create a schedule. */
export default async function NewSchedulePage() {
  await connection();
  await requireUser();
  const tasks = (await getStore().reads.listTasks()).map((t) => t.name);
  return (
    <>
      <PageHeader
        title="New schedule"
        description="The preview shows the rule in words and the next five runs before you save."
      />
      <ScheduleForm
        initial={newScheduleValues(tasks.includes("demo.echo") ? "demo.echo" : tasks[0])}
        tasks={tasks}
        timezones={timezoneNames()}
      />
    </>
  );
}
