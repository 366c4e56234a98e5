import { defineConfig } from "drizzle-kit";

/** drizzle-kit reads the schema and writes migrations to db/migrations (run `npm run db:generate`). */
export default defineConfig({
  dialect: "sqlite",
  schema: "./db/schema.ts",
  out: "./db/migrations",
});
