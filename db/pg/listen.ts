/**
 * The worker's wake-up channel on PostgreSQL (issue 17): a dedicated connection holding LISTEN
 * (a pooled client cannot), which reconnects with backoff when the server restarts or the
 * connection is terminated, saying so in one log line each way. Notifications sent while it was
 * away are lost, so `onReconnect` tells the caller to poll once. LISTEN does not work through
 * pgbouncer in transaction pooling: there the caller polls (docs/POSTGRES.md).
 */
import pg from "pg";
import { pgConfig, type PgPoolOptions } from "./client";

/** Backoff between reconnect attempts: first and largest delay (ms). */
export const LISTEN_BACKOFF_MS = { first: 100, max: 5_000 } as const;

/** What the listener tells its owner. */
export interface ListenHandlers {
  /** A notification arrived. */
  onNotify: (channel: string, payload: string | undefined) => void;
  /** The connection came back after a loss: notifications may have been missed, poll now. */
  onReconnect?: () => void;
  /** One line per connection event (default console.warn). */
  log?: (line: string) => void;
}

/** A running listener. */
export interface PgListener {
  /** Resolves once the first connection is listening (rejects if that first connect fails). */
  ready: Promise<void>;
  /** True while a connection is listening. */
  isListening(): boolean;
  /** Runs a query on the current LISTEN connection (tests; null when disconnected). */
  client(): pg.Client | null;
  /** Stops listening, cancels reconnects, closes the connection. */
  close(): Promise<void>;
}

/** Opens a LISTEN connection on `channels` that survives restarts and terminations. */
export function startPgListener(
  url: string,
  channels: string[],
  handlers: ListenHandlers,
  options: Pick<PgPoolOptions, "applicationName"> = {},
): PgListener {
  const { max: _max, idleTimeoutMillis: _idle, ...config } = pgConfig(url, options);
  const log = handlers.log ?? ((line: string) => console.warn(line));
  let current: pg.Client | null = null;
  let closed = false;
  let failures = 0;
  let timer: NodeJS.Timeout | null = null;

  async function connect(): Promise<void> {
    const client = new pg.Client({
      ...config,
      application_name: `${config.application_name}:listen`,
    });
    client.on("notification", (n) => handlers.onNotify(n.channel, n.payload));
    client.on("error", (error) => lost(client, error));
    client.on("end", () => lost(client, null));
    await client.connect();
    for (const channel of channels) await client.query(`LISTEN ${pg.escapeIdentifier(channel)}`);
    if (closed) {
      await client.end();
      return;
    }
    current = client;
  }

  function lost(client: pg.Client, error: Error | null): void {
    if (closed || current !== client) return;
    current = null;
    client.removeAllListeners("notification");
    client.end().catch(() => {});
    log(
      `postgres: LISTEN connection lost (${error?.message ?? "closed by the server"}); reconnecting`,
    );
    schedule();
  }

  function schedule(): void {
    if (closed || timer) return;
    const delay = Math.min(LISTEN_BACKOFF_MS.max, LISTEN_BACKOFF_MS.first * 2 ** failures);
    timer = setTimeout(
      () => {
        timer = null;
        connect().then(
          () => {
            if (closed) return;
            log(`postgres: LISTEN connection back after ${failures + 1} attempt(s)`);
            failures = 0;
            handlers.onReconnect?.();
          },
          () => {
            failures++;
            schedule();
          },
        );
      },
      delay * (0.5 + Math.random() / 2),
    );
  }

  return {
    ready: connect(),
    isListening: () => current !== null,
    client: () => current,
    close: async () => {
      closed = true;
      if (timer) clearTimeout(timer);
      const client = current;
      current = null;
      if (client) {
        client.removeAllListeners("notification");
        await client.end().catch(() => {});
      }
    },
  };
}
