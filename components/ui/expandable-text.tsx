"use client";
import clsx from "clsx";
import { useState, type ReactNode } from "react";
import { visibleText } from "./format";

/**
 * Untrusted `text` as text, cut at `max` characters until the user opens it, and the "Show all" /
 * "Show less" button that does (false when the text is short). `buttonClassName` adds to the
 * button's classes.
 */
export function useShowAll(
  text: string,
  max: number,
  buttonClassName?: string,
): { shown: string; toggle: ReactNode } {
  const [isOpen, setOpen] = useState(false);
  const isLong = text.length > max;
  return {
    shown: visibleText(isOpen || !isLong ? text : `${text.slice(0, max)}…`),
    toggle: isLong && (
      <button
        type="button"
        onClick={() => setOpen(!isOpen)}
        className={clsx(
          "mt-1 text-xs font-medium text-indigo-600 hover:underline dark:text-indigo-400",
          buttonClassName,
        )}
      >
        {isOpen ? "Show less" : `Show all (${text.length.toLocaleString("en-US")} characters)`}
      </button>
    ),
  };
}

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
  const { shown, toggle } = useShowAll(text, max, "block");
  return (
    <div className={className}>
      <span className="break-words whitespace-pre-wrap">{shown}</span>
      {toggle}
    </div>
  );
}
