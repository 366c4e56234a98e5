import type { Metadata } from "next";
import { connection } from "next/server";
import { requireUser } from "@/app/_lib/auth";
import { getStore } from "@/db/store";
import { Card, PageHeader } from "@/components/ui/card";
import { EnqueueForm } from "@/components/jobs/enqueue-form";
import { QueueFilters } from "@/components/jobs/queue-filters";
import { QueueLive } from "@/components/jobs/queue-live";
import { loadQueue, queueSearchString } from "../_lib/data";
import { parseQueueSearch, type RawSearchParams } from "../_lib/search-params";

export const metadata: Metadata = { title: "Queue" };

/** Queued and running jobs, live; cancel them; enqueue a new one. */
export default async function QueuePage({
  searchParams,
}: {
  searchParams: Promise<RawSearchParams>;
}) {
  await connection();
  const user = await requireUser();
  const search = parseQueueSearch(await searchParams);
  const reads = getStore().reads;
  const tasks = await reads.listTasks();
  const options = await reads.listFilterOptions();
  const initialData = await loadQueue(search);
  const canEdit = user.role === "admin";
  return (
    <>
      <PageHeader
        title="Queue"
        description="Jobs waiting to run, in the order workers will take them, and jobs running now."
        actions={
          <QueueFilters
            key={queueSearchString(search)}
            search={search}
            tasks={options.tasks}
            queues={options.queues}
          />
        }
      />
      <div className="grid grid-cols-1 gap-6 xl:grid-cols-[minmax(0,1fr)_20rem]">
        <QueueLive
          search={search}
          searchString={queueSearchString(search)}
          initialData={initialData}
          canEdit={canEdit}
        />
        {canEdit && (
          <div>
            <Card title="Enqueue a job" className="xl:sticky xl:top-20">
              <EnqueueForm
                tasks={tasks.map(({ name, description, exampleArgs, argsSchema }) => ({
                  name,
                  description,
                  exampleArgs,
                  argsSchema: argsSchema ?? null,
                }))}
              />
            </Card>
          </div>
        )}
      </div>
    </>
  );
}
