"use client";
import { useState } from "react";
import { visibleText } from "./format";

/** Untrusted text shown as text only, cut at `max` characters with a "Show all" toggle. */
export function ExpandableText({
  text,
  max = 2000,
  className,
}: {
  text: string;
  max?: number;
  className?: string;
}) {
  const [isOpen, setOpen] = useState(false);
  const isLong = text.length > max;
  return (
    <div className={className}>
      <span className="break-words whitespace-pre-wrap">
        {visibleText(isOpen || !isLong ? text : `${text.slice(0, max)}…`)}
      </span>
      {isLong && (
        <button
          type="button"
          onClick={() => setOpen(!isOpen)}
          className="mt-1 block text-xs font-medium text-indigo-600 hover:underline dark:text-indigo-400"
        >
          {isOpen ? "Show less" : `Show all (${text.length.toLocaleString("en-US")} characters)`}
        </button>
      )}
    </div>
  );
}
