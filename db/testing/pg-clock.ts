/** Test helper: the PostgreSQL database's clock (epoch ms), read on a connection of its own. */
import pg from "pg";
import { dbNow, pgTypes } from "../pg/client";

export async function databaseNow(url: string): Promise<number> {
  const client = new pg.Client({ connectionString: url, types: pgTypes });
  await client.connect();
  try {
    return await dbNow(client);
  } finally {
    await client.end();
  }
}
