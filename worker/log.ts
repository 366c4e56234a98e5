/**
 * The worker's log: one line per event, `time level event {json}`. Events are namespaced
 * (`job:failed`, `worker:started`) and carry job id, task, attempt and duration where they apply.
 * JOBDECK_LOG_LEVEL=debug|info|error (default info).
 */
export type LogLevel = "debug" | "info" | "error";

/** Writes one event. */
export type Logger = (event: string, data?: Record<string, unknown>, level?: LogLevel) => void;

const RANK: Record<LogLevel, number> = { debug: 0, info: 1, error: 2 };

/** A logger that writes to stdout (info, debug) and stderr (error). */
export function createLogger(
  minLevel = (process.env.JOBDECK_LOG_LEVEL as LogLevel | undefined) ?? "info",
): Logger {
  const min = RANK[minLevel] ?? RANK.info;
  return (event, data = {}, level = "info") => {
    if (RANK[level] < min) return;
    const line = `${new Date().toISOString()} ${level.padEnd(5)} ${event} ${JSON.stringify(data)}`;
    if (level === "error") console.error(line);
    else console.log(line);
  };
}
