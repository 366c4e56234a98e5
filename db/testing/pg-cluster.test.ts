import pg from "pg";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createTestDatabase, skipPgTests, type TestDatabase } from "./pg-cluster";

describe.skipIf(skipPgTests)("the throwaway PostgreSQL cluster", () => {
  let db: TestDatabase;
  beforeAll(async () => {
    db = await createTestDatabase();
  });
  afterAll(async () => {
    await db?.drop();
  });

  it("serves a fresh database over its Unix socket with test settings", async () => {
    const client = new pg.Client({ connectionString: db.url });
    await client.connect();
    try {
      const { rows } = await client.query<{ db: string; fsync: string; sync: string }>(
        "SELECT current_database() AS db, current_setting('fsync') AS fsync, current_setting('synchronous_commit') AS sync",
      );
      expect(rows[0]).toEqual({ db: db.name, fsync: "off", sync: "off" });
    } finally {
      await client.end();
    }
  });

  it("drops a test database even while a connection is still open on it", async () => {
    const other = await createTestDatabase();
    const client = new pg.Client({ connectionString: other.url });
    client.on("error", () => {});
    await client.connect();
    await other.drop();
    const admin = new pg.Client({ connectionString: db.url });
    await admin.connect();
    const { rowCount } = await admin.query("SELECT 1 FROM pg_database WHERE datname = $1", [
      other.name,
    ]);
    await admin.end();
    expect(rowCount).toBe(0);
  });
});
