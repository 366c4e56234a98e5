import { defineConfig, globalIgnores } from "eslint/config";
import nextVitals from "eslint-config-next/core-web-vitals";
import nextTs from "eslint-config-next/typescript";
import drizzle from "eslint-plugin-drizzle";

/** db/ modules that hold connections, SQL or transactions: only db/ itself imports their values. */
const DB_INTERNALS = [
  "@/db/client",
  "@/db/queries/*",
  "@/db/lifecycle",
  "@/db/lifecycle-sql",
  "@/db/admin-actions",
  "@/db/migrate",
  "@/db/checkpointer",
  "@/db/sqlite/*",
  "@/db/pg/*",
  "@/db/bench/*",
];
/** The same modules by relative path (top-level files such as instrumentation.ts). */
const DB_INTERNALS_RELATIVE = DB_INTERNALS.map((p) => p.replace("@/", "**/"));

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
    // Outside db/, the database is reached only through the store (db/store.ts) and the library
    // (db/index.ts): no connection, no SQL, no transaction, nothing that ties a caller to SQLite.
    files: ["app/**", "components/**", "worker/**", "e2e/**", "*.ts"],
    ignores: ["db/**"],
    rules: {
      "@typescript-eslint/no-restricted-imports": [
        "error",
        {
          patterns: [
            {
              group: [...DB_INTERNALS, ...DB_INTERNALS_RELATIVE],
              allowTypeImports: true,
              message:
                "Outside db/, reach the database through the store (@/db/store) or the library (@/db).",
            },
          ],
        },
      ],
      "no-restricted-syntax": [
        "error",
        {
          selector: "MemberExpression[property.name='$client']",
          message: "Outside db/, never touch the connection: add a store method in db/.",
        },
        {
          selector:
            "ImportExpression[source.value=/db\\/(client|queries|lifecycle|lifecycle-sql|admin-actions|migrate|sqlite|pg|bench)(\\/|$)/]",
          message:
            "Outside db/, reach the database through the store (@/db/store) or the library (@/db).",
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
              group: [...DB_INTERNALS, "@/db/store", "@/db/store/*", "@/db/index", "@/db"],
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
