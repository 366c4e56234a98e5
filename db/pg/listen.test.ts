import pg from "pg";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  createTestDatabase,
  restartTestCluster,
  skipPgTests,
  terminateBackends,
  type TestDatabase,
} from "../testing/pg-cluster";
import { openPgPool } from "./client";
import { startPgListener, type PgListener } from "./listen";

/** Resolves when `check` is true, polling every 20 ms; fails after `ms`. */
async function until(check: () => boolean, ms = 10_000): Promise<void> {
  const end = Date.now() + ms;
  while (!check()) {
    if (Date.now() > end) throw new Error("timed out waiting");
    await new Promise((r) => setTimeout(r, 20));
  }
}

describe.skipIf(skipPgTests)("the LISTEN connection", () => {
  let db: TestDatabase;
  let pool: pg.Pool;
  let listener: PgListener;
  const heard: string[] = [];
  const lines: string[] = [];
  let reconnects = 0;

  beforeAll(async () => {
    db = await createTestDatabase();
    pool = openPgPool(db.url, { max: 2, applicationName: "test-pool" });
    listener = startPgListener(db.url, ["jobdeck_jobs"], {
      onNotify: (channel, payload) => heard.push(`${channel}:${payload}`),
      onReconnect: () => reconnects++,
      log: (line) => lines.push(line),
    });
    await listener.ready;
  });
  afterAll(async () => {
    await listener?.close();
    await pool?.end();
    await db?.drop();
  });

  /** Sends a NOTIFY from the pool, retrying while the server is coming back; waits until heard. */
  async function notifyAndHear(payload: string): Promise<void> {
    await until(() => listener.isListening());
    for (let tries = 0; ; tries++) {
      try {
        await pool.query(`SELECT pg_notify('jobdeck_jobs', $1)`, [payload]);
        break;
      } catch (error) {
        if (tries > 50) throw error;
        await new Promise((r) => setTimeout(r, 100));
      }
    }
    await until(() => heard.includes(`jobdeck_jobs:${payload}`));
  }

  it("hears a NOTIFY sent from a pooled connection, on its own named connection", async () => {
    await notifyAndHear("one");
    const app = await listener
      .client()!
      .query<{ app: string }>(`SELECT current_setting('application_name') AS app`);
    expect(app.rows[0]!.app).toBe("jobdeck:listen");
  });

  it("reconnects after pg_terminate_backend, says so in one line each way, and asks for a poll", async () => {
    expect(await terminateBackends(db.name, "jobdeck:listen")).toBe(1);
    await until(() => reconnects === 1);
    await notifyAndHear("two");
    expect(lines).toHaveLength(2);
    expect(lines[0]).toMatch(/^postgres: LISTEN connection lost \(.+\); reconnecting$/);
    expect(lines[1]).toMatch(/^postgres: LISTEN connection back after \d+ attempt\(s\)$/);
  });

  it("comes back after the server restarts, and the pool serves queries again", async () => {
    restartTestCluster();
    await until(() => reconnects === 2, 20_000);
    await notifyAndHear("three");
    const { rows } = await pool.query<{ one: number }>(`SELECT 1 AS one`);
    expect(rows[0]!.one).toBe(1);
  });
});
