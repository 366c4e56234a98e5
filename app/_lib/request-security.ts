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
 * How many reverse proxies in front of Jobdeck may be believed (JOBDECK_TRUST_PROXY, default 0).
 * 0: none; X-Forwarded-Host and X-Forwarded-Proto are ignored (anyone can send them), the site is
 * `http://<Host>`. n ≥ 1 (or `true` = 1): the nearest proxy sets X-Forwarded-Host/-Proto and appends
 * to X-Forwarded-For, and the client's address is the entry the n-th proxy appended. The older
 * JOBDECK_TRUSTED_PROXIES=k (k proxies beyond the first) still means n = k + 1.
 */
export function trustedProxyCount(): number {
  const raw = process.env.JOBDECK_TRUST_PROXY?.trim().toLowerCase();
  if (raw === undefined || raw === "") {
    const legacy = process.env.JOBDECK_TRUSTED_PROXIES?.trim();
    return legacy && /^\d{1,2}$/.test(legacy) ? Number(legacy) + 1 : 0;
  }
  if (raw === "true") return 1;
  if (raw === "false") return 0;
  if (/^\d{1,2}$/.test(raw)) return Number(raw);
  throw new Error(
    `JOBDECK_TRUST_PROXY="${raw.slice(0, 40)}" must be 0 (no reverse proxy), 1 (one proxy, e.g. nginx) or the number of proxies in front of Jobdeck`,
  );
}

/** First entry of a comma-separated forwarded header, lower-cased; null when absent or empty. */
function firstForwarded(headers: Headers, name: string): string | null {
  const value = headers.get(name)?.split(",")[0]?.trim().toLowerCase();
  return value ? value : null;
}

/**
 * This site's origin (`scheme://host[:port]`) as the browser sees it: from a trusted proxy's
 * X-Forwarded-Proto and X-Forwarded-Host, else `http://` and the `Host` header. Null without a host.
 */
export function siteOrigin(headers: Headers): string | null {
  const trusted = trustedProxyCount() > 0;
  const host =
    (trusted ? firstForwarded(headers, "x-forwarded-host") : null) ??
    firstForwarded(headers, "host");
  if (!host) return null;
  const proto = trusted ? (firstForwarded(headers, "x-forwarded-proto") ?? "http") : "http";
  try {
    // Normalises the default port away (`http://h:80` is `http://h`), as browsers do in Origin.
    return new URL(`${proto === "https" ? "https" : "http"}://${host}`).origin;
  } catch {
    return null;
  }
}

/**
 * Why a state-changing request is cross-site, or null when it is same-origin.
 * Rules: `Sec-Fetch-Site` other than `same-origin`/`none` is refused; an `Origin` must equal this
 * site's origin, scheme, host and port (siteOrigin) or an allowed origin; `Origin: null` is refused.
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
  const site = siteOrigin(headers);
  if (url.origin === site || allowedOrigins().includes(url.origin)) return null;
  const shown = url.origin.slice(0, 100);
  const hint =
    site !== null && new URL(site).host === url.host
      ? ` Behind an HTTPS reverse proxy, set JOBDECK_TRUST_PROXY=1 (docs/SECURITY.md).`
      : "";
  return `Cross-site request refused (Origin ${shown} is not this site, ${site ?? "unknown"}).${hint}`;
}

/**
 * The client's address for the audit log and, when clientAddressIsKnown, rate limiting. With
 * JOBDECK_TRUST_PROXY=n ≥ 1: the X-Forwarded-For entry the n-th proxy from us appended. Without:
 * the right-most entry, which Next's server sets from the connection only when the client sent
 * none, so it is whatever a client talking to Next directly claims.
 */
export function clientAddress(headers: Headers): string {
  const hops = trustedProxyCount();
  const list = (headers.get("x-forwarded-for") ?? "")
    .split(",")
    .map((s) => s.trim())
    .filter((s) => s !== "");
  const index = list.length - Math.max(1, hops);
  const address = list[Math.max(0, index)] ?? headers.get("x-real-ip") ?? "unknown";
  return address.slice(0, 100);
}

/**
 * Whether clientAddress is the real client's address: only when a trusted proxy set it. Without
 * one, a client talking to the server directly names its own X-Forwarded-For (Next's server keeps
 * what it is sent), so an address could be anyone's, its victim's included: the sign-in limits
 * then refuse nothing by address (docs/SECURITY.md "Sign-in rate limits").
 */
export function clientAddressIsKnown(): boolean {
  return trustedProxyCount() > 0;
}

/** Whether the browser reached us over HTTPS: a trusted proxy's X-Forwarded-Proto, else `url`'s scheme. */
export function isHttps(headers: Headers, url?: string): boolean {
  if (trustedProxyCount() > 0) return firstForwarded(headers, "x-forwarded-proto") === "https";
  return url !== undefined && url.startsWith("https:");
}

/**
 * `next` redirect target when it is a local path, percent-encoded so that it is always a valid
 * Location header (a raw `/。` used to make sign-in fail with 500); `/` otherwise (no open redirects).
 */
export function safeNextPath(value: string | null | undefined): string {
  if (!value || value.length > 2000) return "/";
  if (!value.startsWith("/") || value.startsWith("//") || value.includes("\\")) return "/";
  if (/[\u0000-\u001f\u007f]/.test(value)) return "/";
  let url: URL;
  try {
    url = new URL(value, "http://jobdeck.invalid");
  } catch {
    return "/";
  }
  if (url.origin !== "http://jobdeck.invalid") return "/";
  // URL encodes what is not ASCII; lone surrogates become U+FFFD. The result is ASCII only.
  const path = `${url.pathname}${url.search}${url.hash}`;
  if (url.pathname === "/login" || url.pathname.startsWith("/login/")) return "/";
  if (path.length > 2000 || path.startsWith("//") || !/^[\x21-\x7e]+$/.test(path)) return "/";
  return path;
}
