/**
 * Same-origin checks for mutations and the client address for rate limiting. Pure functions over
 * a Headers object, shared by server actions (next/headers) and route handlers (Request).
 */

/** Extra origins allowed for mutations (JOBDECK_ALLOWED_ORIGINS, comma-separated, e.g. `https://jobs.example.com`). */
export function allowedOrigins(): string[] {
  return (process.env.JOBDECK_ALLOWED_ORIGINS ?? "")
    .split(",")
    .map((s) => s.trim().replace(/\/+$/, "").toLowerCase())
    .filter((s) => s !== "");
}

/**
 * Why a state-changing request is cross-site, or null when it is same-origin.
 * Rules: `Sec-Fetch-Site` other than `same-origin`/`none` is refused; an `Origin` must name this
 * host (the `Host` or `X-Forwarded-Host` header) or an allowed origin; `Origin: null` is refused.
 * With `requireOrigin` (cookie-authenticated browsers), a request carrying neither header is refused.
 */
export function crossSiteProblem(
  headers: Headers,
  { requireOrigin }: { requireOrigin: boolean },
): string | null {
  const fetchSite = headers.get("sec-fetch-site");
  if (fetchSite !== null && fetchSite !== "same-origin" && fetchSite !== "none") {
    return `Cross-site request refused (Sec-Fetch-Site: ${fetchSite.slice(0, 40)}).`;
  }
  const origin = headers.get("origin");
  if (origin === null) {
    if (requireOrigin && fetchSite !== "same-origin") {
      return "Request refused: it carries no Origin header, so it cannot be shown to come from this site.";
    }
    return null;
  }
  let url: URL;
  try {
    url = new URL(origin);
  } catch {
    return "Cross-site request refused (unreadable Origin).";
  }
  if (origin === "null" || (url.protocol !== "http:" && url.protocol !== "https:")) {
    return "Cross-site request refused (opaque Origin).";
  }
  const originHost = url.host.toLowerCase();
  const hosts = [headers.get("host"), headers.get("x-forwarded-host")]
    .flatMap((h) => (h ?? "").split(","))
    .map((h) => h.trim().toLowerCase())
    .filter((h) => h !== "");
  if (hosts.includes(originHost)) return null;
  if (allowedOrigins().includes(`${url.protocol}//${originHost}`)) return null;
  return `Cross-site request refused (Origin ${url.protocol}//${originHost.slice(0, 100)} is not this site).`;
}

/**
 * The client's address for rate limiting: the right-most `X-Forwarded-For` entry (what the
 * nearest proxy, or Next's own server, saw), skipping JOBDECK_TRUSTED_PROXIES further hops
 * (default 0). Without a trusted proxy the per-username limit is the one that cannot be evaded.
 */
export function clientAddress(headers: Headers): string {
  const hops = Number(process.env.JOBDECK_TRUSTED_PROXIES ?? 0);
  const list = (headers.get("x-forwarded-for") ?? "")
    .split(",")
    .map((s) => s.trim())
    .filter((s) => s !== "");
  const index = list.length - 1 - (Number.isInteger(hops) && hops > 0 ? hops : 0);
  const address = list[Math.max(0, index)] ?? headers.get("x-real-ip") ?? "unknown";
  return address.slice(0, 100);
}

/** Whether the request reached us over HTTPS (directly or via a proxy's X-Forwarded-Proto). */
export function isHttps(headers: Headers, url?: string): boolean {
  const proto = headers.get("x-forwarded-proto");
  if (proto) return proto.split(",")[0]?.trim().toLowerCase() === "https";
  return url !== undefined && url.startsWith("https:");
}

/** `next` redirect target when it is a local path; `/` otherwise (no open redirects). */
export function safeNextPath(value: string | null | undefined): string {
  if (!value || value.length > 2000) return "/";
  if (!value.startsWith("/") || value.startsWith("//") || value.includes("\\")) return "/";
  if (/[\u0000-\u001f\u007f]/.test(value)) return "/";
  if (value === "/login" || value.startsWith("/login?") || value.startsWith("/login/")) return "/";
  return value;
}
