"use client";
import clsx from "clsx";
import { useRouter } from "next/navigation";
import { useState, type ReactNode } from "react";
import { THEME_COOKIE, type Theme } from "./theme";

const OPTIONS: { value: Theme; label: string; icon: ReactNode }[] = [
  {
    value: "system",
    label: "System theme",
    icon: (
      <path
        fillRule="evenodd"
        d="M2 4.25A2.25 2.25 0 0 1 4.25 2h11.5A2.25 2.25 0 0 1 18 4.25v8.5A2.25 2.25 0 0 1 15.75 15h-3.1l.4 1.5h.7a.75.75 0 0 1 0 1.5h-7.5a.75.75 0 0 1 0-1.5h.7l.4-1.5h-3.1A2.25 2.25 0 0 1 2 12.75v-8.5Zm2.25-.75a.75.75 0 0 0-.75.75v7.5c0 .41.34.75.75.75h11.5a.75.75 0 0 0 .75-.75v-7.5a.75.75 0 0 0-.75-.75H4.25Z"
        clipRule="evenodd"
      />
    ),
  },
  {
    value: "light",
    label: "Light theme",
    icon: (
      <path d="M10 2a.75.75 0 0 1 .75.75v1.5a.75.75 0 0 1-1.5 0v-1.5A.75.75 0 0 1 10 2Zm0 13a.75.75 0 0 1 .75.75v1.5a.75.75 0 0 1-1.5 0v-1.5A.75.75 0 0 1 10 15Zm0-8a3 3 0 1 0 0 6 3 3 0 0 0 0-6Zm5.66-2.66a.75.75 0 0 1 0 1.06l-1.06 1.06a.75.75 0 1 1-1.06-1.06l1.06-1.06a.75.75 0 0 1 1.06 0Zm-9.2 9.2a.75.75 0 0 1 0 1.06l-1.06 1.06a.75.75 0 0 1-1.06-1.06l1.06-1.06a.75.75 0 0 1 1.06 0ZM18 10a.75.75 0 0 1-.75.75h-1.5a.75.75 0 0 1 0-1.5h1.5A.75.75 0 0 1 18 10ZM5 10a.75.75 0 0 1-.75.75h-1.5a.75.75 0 0 1 0-1.5h1.5A.75.75 0 0 1 5 10Zm9.54 4.54a.75.75 0 0 1 1.06 0l1.06 1.06a.75.75 0 1 1-1.06 1.06l-1.06-1.06a.75.75 0 0 1 0-1.06Zm-9.2-9.2a.75.75 0 0 1 1.06 0L7.46 6.4A.75.75 0 1 1 6.4 7.46L5.34 6.4a.75.75 0 0 1 0-1.06Z" />
    ),
  },
  {
    value: "dark",
    label: "Dark theme",
    icon: (
      <path
        fillRule="evenodd"
        d="M7.46 2.3a.75.75 0 0 1 .16.82A6.5 6.5 0 0 0 16.88 12.38a.75.75 0 0 1 .98.98A8 8 0 1 1 6.64 2.14a.75.75 0 0 1 .82.16Z"
        clipRule="evenodd"
      />
    ),
  },
];

/** Shows a theme at once and stores it for the next render ("system" stores nothing). */
function applyTheme(theme: Theme) {
  document.documentElement.dataset.theme = theme;
  document.cookie =
    theme === "system"
      ? `${THEME_COOKIE}=; path=/; max-age=0; samesite=lax`
      : `${THEME_COOKIE}=${theme}; path=/; max-age=31536000; samesite=lax`;
}

/**
 * Picks the theme: System (follows prefers-color-scheme; the default), Light or Dark. Applies it
 * at once on <html data-theme> and keeps the choice in a cookie so the next render starts in it.
 */
export function ThemeToggle({ theme }: { theme: Theme }) {
  const router = useRouter();
  const [choice, setChoice] = useState(theme);
  const pick = (next: Theme) => {
    setChoice(next);
    applyTheme(next);
    router.refresh();
  };
  return (
    <div
      role="group"
      aria-label="Theme"
      className="inline-flex h-8 items-center rounded-full border border-zinc-200 bg-white p-0.5 shadow-sm dark:border-zinc-700 dark:bg-zinc-900"
    >
      {OPTIONS.map((option) => (
        <button
          key={option.value}
          type="button"
          onClick={() => pick(option.value)}
          aria-pressed={choice === option.value}
          aria-label={option.label}
          title={option.label}
          className={clsx(
            "inline-flex size-7 items-center justify-center rounded-full",
            choice === option.value
              ? "bg-zinc-200 text-zinc-900 dark:bg-zinc-700 dark:text-white"
              : "text-zinc-500 hover:text-zinc-900 dark:text-zinc-400 dark:hover:text-white",
          )}
        >
          <svg viewBox="0 0 20 20" fill="currentColor" className="size-4" aria-hidden="true">
            {option.icon}
          </svg>
        </button>
      ))}
    </div>
  );
}
