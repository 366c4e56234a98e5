/**
 * The URL is each list's state: one zod schema per list parses `searchParams` (page, route handler
 * and client all use these), with defaults in one place. Bad values fall back to the defaults.
 */
import { z } from "zod";
import type { ResultState, UserRole } from "@/db/schema";
import type {
  Cursor,
  QueueCursor,
  ResultFilter,
  ResultListParams,
  ResultSort,
} from "@/db/store/reads";

/** Raw search params as Next passes them (or from URLSearchParams). */
export type RawSearchParams = Record<string, string | string[] | undefined>;

/** Time ranges offered by the filters, in ms ("all": no limit). */
export const TIME_RANGES = {
  "15m": 15 * 60_000,
  "1h": 3_600_000,
  "24h": 86_400_000,
  "7d": 7 * 86_400_000,
  "30d": 30 * 86_400_000,
  all: 0,
} as const;
/** A TIME_RANGES key. */
export type TimeRange = keyof typeof TIME_RANGES;

/** Page sizes offered (default 50). */
export const PAGE_SIZES = [25, 50, 100] as const;

const text = (max: number) =>
  z
    .string()
    .trim()
    .max(max)
    .optional()
    .catch(undefined)
    .transform((v) => (v === "" ? undefined : v));

/** A page size: one of PAGE_SIZES, else 50. */
const pageSize = z.coerce
  .number()
  .refine((n) => (PAGE_SIZES as readonly number[]).includes(n))
  .catch(50);

// db/queries/jobs.ts's RESULT_SORTS, restated so client code that imports this file pulls no
// module of db/ into its bundle; the check below fails to compile when the two differ.
const SORTS = ["stopped", "started", "duration", "attempts"] as const;
type SameSorts = [ResultSort] extends [(typeof SORTS)[number]]
  ? [(typeof SORTS)[number]] extends [ResultSort]
    ? true
    : never
  : never;
const sortsMatch: SameSorts = true;
void sortsMatch;

/** Successes/Failures list state: filters, search, sort, page cursor, page size. */
export const resultsSearchSchema = z.object({
  task: text(200),
  group: text(200),
  queue: text(200),
  q: text(200),
  error: text(1000),
  retried: z.enum(["yes", "no"]).optional().catch(undefined),
  range: z.enum(Object.keys(TIME_RANGES) as [TimeRange, ...TimeRange[]]).catch("all"),
  sort: z.enum(SORTS).catch("stopped"),
  dir: z.enum(["asc", "desc"]).catch("desc"),
  /** The next page: the rows after this cursor. */
  after: text(60),
  /** The previous page: the rows before this cursor (wins over `after`). */
  before: text(60),
  size: pageSize,
  view: z.enum(["list", "groups"]).catch("list"),
});
/** Parsed Successes/Failures list state. */
export type ResultsSearch = z.infer<typeof resultsSearchSchema>;

/** Queue list state. */
export const queueSearchSchema = z.object({
  task: text(200),
  queue: text(200),
  after: text(80),
  before: text(80),
  size: pageSize,
});
/** Parsed Queue list state. */
export type QueueSearch = z.infer<typeof queueSearchSchema>;

/** Takes the first value of repeated params. */
export function firstValues(raw: RawSearchParams | URLSearchParams): Record<string, string> {
  const out: Record<string, string> = {};
  if (raw instanceof URLSearchParams) {
    for (const [k, v] of raw) if (!(k in out)) out[k] = v;
    return out;
  }
  for (const [k, v] of Object.entries(raw)) {
    const value = Array.isArray(v) ? v[0] : v;
    if (value !== undefined) out[k] = value;
  }
  return out;
}

/** Parses a results list's search params. */
export function parseResultsSearch(raw: RawSearchParams | URLSearchParams): ResultsSearch {
  return resultsSearchSchema.parse(firstValues(raw));
}

/** Parses the Queue page's search params. */
export function parseQueueSearch(raw: RawSearchParams | URLSearchParams): QueueSearch {
  return queueSearchSchema.parse(firstValues(raw));
}

/** Encodes a results cursor for the URL: `<value>~<id>`, `n~<id>` when the value is null. */
export function encodeCursor(c: Cursor): string {
  return `${c.v === null ? "n" : c.v}~${c.id}`;
}

/** Decodes `after`; null when absent or malformed. */
export function decodeCursor(raw: string | undefined): Cursor | null {
  const m = raw ? /^(n|-?\d{1,16})~(\d{1,16})$/.exec(raw) : null;
  if (!m) return null;
  return { v: m[1] === "n" ? null : Number(m[1]), id: Number(m[2]) };
}

/** Encodes a queue cursor: `<priority>~<runAt>~<id>`. */
export function encodeQueueCursor(c: QueueCursor): string {
  return `${c.priority}~${c.runAt}~${c.id}`;
}

/** Decodes a queue cursor; null when absent or malformed. */
export function decodeQueueCursor(raw: string | undefined): QueueCursor | null {
  const m = raw ? /^(-?\d{1,16})~(\d{1,16})~(\d{1,16})$/.exec(raw) : null;
  if (!m) return null;
  return { priority: Number(m[1]), runAt: Number(m[2]), id: Number(m[3]) };
}

/** The filter part of a results list's state (what bulk "all matching" actions act on). */
export function toResultFilter(
  state: ResultState,
  s: Pick<ResultsSearch, "task" | "group" | "queue" | "q" | "error" | "retried" | "range">,
  now = Date.now(),
  role: UserRole = "viewer",
): ResultFilter {
  const span = TIME_RANGES[s.range];
  return {
    state,
    searchesContent: role === "admin",
    task: s.task,
    group: s.group,
    queue: s.queue,
    q: s.q,
    error: state === "failure" ? s.error : undefined,
    retried: state === "failure" ? s.retried : undefined,
    since: span > 0 ? now - span : undefined,
  };
}

/** The query for one page of a results list. */
export function toResultListParams(
  state: ResultState,
  s: ResultsSearch,
  now = Date.now(),
  role: UserRole = "viewer",
): ResultListParams {
  return {
    ...toResultFilter(state, s, now, role),
    sort: s.sort,
    dir: s.dir,
    cursor: decodeCursor(s.after),
    before: decodeCursor(s.before),
    limit: s.size,
  };
}

/** Search params with defaults dropped, for tidy URLs and stable query keys. */
export function compactSearch(
  values: Record<string, string | number | undefined>,
  defaults: Record<string, string | number>,
): string {
  const params = new URLSearchParams();
  for (const [k, v] of Object.entries(values)) {
    if (v === undefined || v === "" || defaults[k] === v) continue;
    params.set(k, String(v));
  }
  return params.toString();
}

/** Defaults of the results list state (dropped from URLs). */
export const RESULTS_DEFAULTS = {
  range: "all",
  sort: "stopped",
  dir: "desc",
  size: 50,
  view: "list",
} as const;
/** Defaults of the Queue list state. */
export const QUEUE_DEFAULTS = { size: 50 } as const;
