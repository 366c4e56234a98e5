import type { FailureGroup } from "@/app/(dashboard)/_lib/data";
import { ButtonLink } from "@/components/ui/button";
import { EmptyState } from "@/components/ui/card";
import { Table, Td, Th, Tr } from "@/components/ui/table";
import { Time } from "@/components/ui/time";

/**
 * Failures grouped by their error's fingerprint (the first line with numbers, ids, hex and quoted
 * values replaced): one example message per group, the fingerprint under it, and a link to the
 * group's failures.
 */
export function FailureGroupsTable({ groups }: { groups: FailureGroup[] }) {
  return (
    <div className="rounded-xl border border-zinc-200 bg-white shadow-sm dark:border-zinc-800 dark:bg-zinc-900">
      {groups.length === 0 ? (
        <EmptyState title="No failures">
          Failures are grouped here by their error message, ignoring numbers, ids and quoted values.
        </EmptyState>
      ) : (
        <Table>
          <thead>
            <tr>
              <Th className="w-full">Error</Th>
              <Th>Tasks</Th>
              <Th className="text-right">Failures</Th>
              <Th className="text-right">Not retried</Th>
              <Th>Last seen</Th>
              <Th className="text-right">Actions</Th>
            </tr>
          </thead>
          <tbody>
            {groups.map((g) => (
              <Tr key={g.message}>
                <Td className="max-w-xl min-w-56">
                  <span
                    className="line-clamp-2 font-mono text-xs break-all text-rose-700 dark:text-rose-300"
                    title={g.example}
                  >
                    {g.example || "(empty message)"}
                  </span>
                  {g.message !== g.example && (
                    <span
                      className="mt-0.5 line-clamp-1 font-mono text-[11px] break-all text-zinc-500 dark:text-zinc-400"
                      title={`Group: ${g.message}`}
                    >
                      <span className="sr-only">Group: </span>
                      {g.message}
                    </span>
                  )}
                </Td>
                <Td
                  className="max-w-48 truncate font-mono text-xs text-zinc-600 dark:text-zinc-300"
                  title={g.tasks}
                >
                  {g.tasks.split(",").join(", ")}
                </Td>
                <Td className="text-right tabular-nums">{g.count.toLocaleString("en-US")}</Td>
                <Td className="text-right font-medium tabular-nums">
                  {g.open.toLocaleString("en-US")}
                </Td>
                <Td className="whitespace-nowrap text-zinc-600 dark:text-zinc-300">
                  <Time ms={g.lastAt} />
                </Td>
                <Td className="text-right">
                  <ButtonLink
                    size="sm"
                    href={`/failures?${new URLSearchParams({ error: g.message, retried: "no" })}`}
                  >
                    View and retry
                  </ButtonLink>
                </Td>
              </Tr>
            ))}
          </tbody>
        </Table>
      )}
    </div>
  );
}
