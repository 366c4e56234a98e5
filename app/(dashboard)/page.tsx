import type { Metadata } from "next";
import { connection } from "next/server";
import { requireUser } from "@/app/_lib/auth";
import { PageHeader } from "@/components/ui/card";
import { OverviewLive } from "@/components/jobs/overview-live";
import { loadOverview } from "./_lib/data";

export const metadata: Metadata = { title: "Overview" };

/** Overview: counts, throughput over the last hour, workers and the latest failures. */
export default async function OverviewPage() {
  await connection();
  await requireUser();
  return (
    <>
      <PageHeader title="Overview" description="The queue at a glance. Updates live." />
      <OverviewLive initialData={await loadOverview()} />
    </>
  );
}
