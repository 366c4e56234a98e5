/** Name of the cookie holding the dashboard theme ("dark" or "light"; default light). */
export const THEME_COOKIE = "jobdeck_theme";
