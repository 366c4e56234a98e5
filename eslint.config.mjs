import { defineConfig, globalIgnores } from "eslint/config";
import nextVitals from "eslint-config-next/core-web-vitals";
import nextTs from "eslint-config-next/typescript";
import drizzle from "eslint-plugin-drizzle";

export default defineConfig([
  ...nextVitals,
  ...nextTs,
  globalIgnores([
    ".next/**",
    "node_modules/**",
    "db/migrations/**",
    "next-env.d.ts",
    "test-results/**",
    "playwright-report/**",
    "e2e/.artifacts/**",
  ]),
  {
    // Drizzle deletes and updates must say which rows (no accidental whole-table writes).
    plugins: { drizzle },
    rules: {
      "drizzle/enforce-delete-with-where": ["error", { drizzleObjectName: ["db", "tx"] }],
      "drizzle/enforce-update-with-where": ["error", { drizzleObjectName: ["db", "tx"] }],
      "@typescript-eslint/no-unused-vars": [
        "error",
        { argsIgnorePattern: "^_", varsIgnorePattern: "^_" },
      ],
    },
  },
  {
    // Web and worker meet only in the database: the dashboard never imports the worker.
    files: ["app/**", "components/**"],
    rules: {
      "no-restricted-imports": [
        "error",
        {
          patterns: [
            {
              group: ["@/worker/*", "**/worker/*"],
              message: "app/ and components/ never import worker/; share facts through db/.",
            },
          ],
        },
      ],
    },
  },
  {
    // Client components never import db/ (better-sqlite3 must not reach the browser). Type-only
    // imports are erased, so the vocabulary's types (JobStatus, ScheduleType from db/schema) are
    // allowed: one list of names, imported by every layer.
    files: ["components/**/*.tsx", "app/**/*-client.tsx", "app/**/_components/**"],
    rules: {
      "@typescript-eslint/no-restricted-imports": [
        "error",
        {
          patterns: [
            {
              group: ["@/worker/*", "**/worker/*"],
              message: "app/ and components/ never import worker/.",
            },
            {
              group: ["@/db/client", "@/db/queries/*", "@/db/migrate", "@/db/index", "@/db"],
              allowTypeImports: true,
              message:
                "Client code never imports db/ queries; pass plain props or fetch the JSON route.",
            },
          ],
        },
      ],
    },
  },
  {
    // The worker never imports the dashboard.
    files: ["worker/**", "db/**"],
    rules: {
      "no-restricted-imports": [
        "error",
        {
          patterns: [
            {
              group: ["@/app/*", "@/components/*"],
              message: "worker/ and db/ never import app/ or components/.",
            },
          ],
        },
      ],
    },
  },
]);
