import { defineConfig } from "vitest/config";

export default defineConfig({
  resolve: { tsconfigPaths: true },
  test: {
    include: [
      "db/**/*.test.ts",
      "worker/**/*.test.ts",
      "app/**/*.test.ts",
      "components/**/*.test.ts",
    ],
    environment: "node",
    // One throwaway PostgreSQL cluster per run for the PostgreSQL tests (db/testing/pg-cluster.ts).
    globalSetup: ["db/testing/pg-global-setup.ts"],
    testTimeout: 120_000,
    hookTimeout: 60_000,
    // Integration tests spawn real worker processes; run files one at a time on 2 cores.
    fileParallelism: false,
    pool: "forks",
  },
});
