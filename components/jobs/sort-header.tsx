"use client";
import clsx from "clsx";
import Link from "next/link";
import { Th } from "@/components/ui/table";
import { useListUrl } from "./list-url";

/** A column header that sorts the list by `sortKey`; clicking again flips the direction. */
export function SortHeader({
  label,
  sortKey,
  sort,
  dir,
  className,
}: {
  label: string;
  sortKey: string;
  sort: string;
  dir: "asc" | "desc";
  className?: string;
}) {
  const { hrefWith } = useListUrl();
  const isActive = sort === sortKey;
  const nextDir = isActive && dir === "desc" ? "asc" : "desc";
  return (
    <Th
      className={className}
      aria-sort={isActive ? (dir === "asc" ? "ascending" : "descending") : "none"}
    >
      <Link
        href={hrefWith({ sort: sortKey, dir: nextDir })}
        scroll={false}
        className={clsx(
          "inline-flex items-center gap-1 hover:text-zinc-900 dark:hover:text-white",
          isActive && "text-zinc-900 dark:text-white",
        )}
        title={`Sort by ${label.toLowerCase()}`}
      >
        {label}
        <span aria-hidden="true" className={clsx("text-[10px]", !isActive && "opacity-30")}>
          {isActive && dir === "asc" ? "▲" : "▼"}
        </span>
      </Link>
    </Th>
  );
}
