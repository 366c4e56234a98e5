/** Names shared by proxy.ts and app/_lib/auth.ts (no imports, so the proxy stays light). */

/** Name of the session cookie. */
export const SESSION_COOKIE = "jobdeck_session";

/** Request header set by proxy.ts with the requested path and query (for `/login?next=`). */
export const PATH_HEADER = "x-jobdeck-path";
