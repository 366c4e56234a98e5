import { readMigrationFiles } from "drizzle-orm/migrator";
import pg from "pg";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createTestDatabase, skipPgTests, type TestDatabase } from "../testing/pg-cluster";
import { migratePg, pgMigrationsFolder } from "./migrate";

describe.skipIf(skipPgTests)("PostgreSQL migrations", () => {
  let db: TestDatabase;
  beforeAll(async () => {
    db = await createTestDatabase({ migrated: false });
  });
  afterAll(async () => {
    await db?.drop();
  });

  it("8 migrators starting together on an empty database all succeed and apply each migration once", async () => {
    const migrations = readMigrationFiles({ migrationsFolder: pgMigrationsFolder() });
    const applied = await Promise.all(Array.from({ length: 8 }, () => migratePg(db.url)));
    expect(applied.reduce((a, b) => a + b, 0)).toBe(migrations.length);
    expect(applied.filter((n) => n > 0)).toHaveLength(1);

    const client = new pg.Client({ connectionString: db.url });
    await client.connect();
    try {
      const { rows } = await client.query<{ hash: string; n: string }>(
        `SELECT hash, count(*) AS n FROM drizzle.__drizzle_migrations GROUP BY hash`,
      );
      expect(rows.map((r) => r.hash).sort()).toEqual(migrations.map((m) => m.hash).sort());
      expect(rows.every((r) => r.n === "1")).toBe(true);
      const tables = await client.query<{ n: string }>(
        `SELECT count(*) AS n FROM pg_tables WHERE schemaname = 'public'`,
      );
      expect(Number(tables.rows[0]?.n)).toBe(17);
    } finally {
      await client.end();
    }
  });

  it("a later start finds nothing to apply", async () => {
    expect(await migratePg(db.url)).toBe(0);
  });
});
