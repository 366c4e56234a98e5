/** Name of the cookie holding the dashboard theme choice; absent means "system". */
export const THEME_COOKIE = "jobdeck_theme";

/** The theme choices: follow the system's light or dark setting (the default), or fix one. */
export const THEMES = ["system", "light", "dark"] as const;

/** One theme choice. */
export type Theme = (typeof THEMES)[number];

/** Reads a stored theme choice; anything else (or nothing) means "system". */
export function parseTheme(value: string | undefined): Theme {
  return value === "light" || value === "dark" ? value : "system";
}
