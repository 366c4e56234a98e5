import { defineConfig } from "drizzle-kit";

/**
 * drizzle-kit for the PostgreSQL schema (issue 17): writes db/pg/migrations from db/pg/schema.ts.
 * Run from the project root: `npx drizzle-kit generate --config db/pg/drizzle.config.ts`.
 */
export default defineConfig({
  dialect: "postgresql",
  schema: "./db/pg/schema.ts",
  out: "./db/pg/migrations",
});
