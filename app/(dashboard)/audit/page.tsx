import type { Metadata } from "next";
import Link from "next/link";
import { connection } from "next/server";
import { z } from "zod";
import { requireUser } from "@/app/_lib/auth";
import { ExpandableText } from "@/components/ui/expandable-text";
import { Table, Td, Th, Tr } from "@/components/ui/table";
import { Time } from "@/components/ui/time";
import { getStore } from "@/db/store";
import { maskSecretsInPreview } from "@/app/_lib/mask-secrets";

export const metadata: Metadata = { title: "Audit" };

const PAGE_SIZE = 50;
const paramsSchema = z.object({
  before: z.coerce.number().int().positive().optional().catch(undefined),
});

/** The audit log for admins: who retried, deleted, enqueued or edited what, newest first. */
export default async function AuditPage({
  searchParams,
}: {
  searchParams: Promise<Record<string, string | string[] | undefined>>;
}) {
  await connection();
  const user = await requireUser();
  if (user.role !== "admin") {
    return (
      <section className="space-y-2">
        <h1 className="text-xl font-semibold">Audit</h1>
        <p role="alert">Only admins can see the audit log.</p>
      </section>
    );
  }
  const { before } = paramsSchema.parse(await searchParams);
  const page = await getStore().reads.listAudit({ before, limit: PAGE_SIZE });
  // Entries are masked when written; rows written before that (or cut by the old 8 KiB limit) are
  // masked again here, so no secret shows even from an old entry.
  const rows = page.rows.map((row) => ({
    ...row,
    before: maskSecretsInPreview(row.before),
    after: maskSecretsInPreview(row.after),
  }));
  return (
    <section className="space-y-4">
      <h1 className="text-xl font-semibold">Audit</h1>
      {rows.length === 0 ? (
        <p>No entries{before ? " before this point" : " yet"}.</p>
      ) : (
        <Table>
          <thead>
            <tr>
              <Th>When</Th>
              <Th>Who</Th>
              <Th>Action</Th>
              <Th>Target</Th>
              <Th>Before</Th>
              <Th>After</Th>
            </tr>
          </thead>
          <tbody>
            {rows.map((row) => (
              <Tr key={row.id}>
                <Td className="whitespace-nowrap">
                  <Time ms={row.at} />
                </Td>
                <Td>
                  <ExpandableText text={row.actor} max={60} />
                  {row.address ? (
                    <span className="text-xs text-zinc-500">{row.address}</span>
                  ) : null}
                </Td>
                <Td className="font-mono text-xs">{row.action}</Td>
                <Td>
                  <ExpandableText text={row.target ?? ""} max={80} />
                </Td>
                <Td className="max-w-xs font-mono text-xs">
                  <ExpandableText text={row.before ?? ""} max={200} />
                </Td>
                <Td className="max-w-xs font-mono text-xs">
                  <ExpandableText text={row.after ?? ""} max={200} />
                </Td>
              </Tr>
            ))}
          </tbody>
        </Table>
      )}
      <nav className="flex gap-4 text-sm">
        {before ? <Link href="/audit">Newest</Link> : null}
        {page.nextBefore ? <Link href={`/audit?before=${page.nextBefore}`}>Older</Link> : null}
      </nav>
    </section>
  );
}
