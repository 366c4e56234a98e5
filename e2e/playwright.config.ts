/**
 * End-to-end tests in a real Chromium against the built app, a real worker and a throwaway
 * database (e2e/serve.ts). Uses Debian's chromium (CHROMIUM_PATH, default /usr/bin/chromium);
 * falls back to Playwright's bundled browser when that is absent (laptops). Screenshots are kept
 * in e2e/.artifacts. Run `npm run build` first (npm test does).
 */
import fs from "node:fs";
import path from "node:path";
import { defineConfig, devices } from "@playwright/test";

const ROOT = path.resolve(import.meta.dirname, "..");
const PORT = process.env.E2E_PORT ?? "3123";
// The web server and the tests (which seed data through db/) share this database.
process.env.DATABASE_URL = path.resolve(ROOT, process.env.E2E_DATABASE_URL ?? "e2e/.tmp/e2e.db");
process.env.E2E_PORT = PORT;

const chromiumPath = process.env.CHROMIUM_PATH ?? "/usr/bin/chromium";
const systemChromium = fs.existsSync(chromiumPath) ? chromiumPath : undefined;

export default defineConfig({
  testDir: ".",
  outputDir: path.join(ROOT, "e2e/.artifacts/results"),
  fullyParallel: false,
  workers: 1,
  retries: process.env.CI ? 1 : 0,
  timeout: 60_000,
  expect: { timeout: 15_000 },
  reporter: [
    ["list"],
    ["html", { outputFolder: path.join(ROOT, "e2e/.artifacts/report"), open: "never" }],
  ],
  use: {
    baseURL: `http://127.0.0.1:${PORT}`,
    screenshot: "on",
    trace: "retain-on-failure",
    video: "off",
    launchOptions: {
      ...(systemChromium ? { executablePath: systemChromium } : {}),
      args: [
        "--headless",
        "--no-sandbox",
        "--disable-gpu",
        "--disable-dev-shm-usage",
        "--disable-background-networking",
        "--disable-component-update",
        "--disable-sync",
        "--no-first-run",
      ],
    },
  },
  projects: [
    { name: "setup", testMatch: /auth\.setup\.ts/ },
    {
      name: "chromium",
      testMatch: /\.spec\.ts$/,
      dependencies: ["setup"],
      use: { ...devices["Desktop Chrome"], viewport: { width: 1440, height: 900 } },
    },
  ],
  webServer: {
    command: "node node_modules/tsx/dist/cli.mjs e2e/serve.ts",
    cwd: ROOT,
    url: `http://127.0.0.1:${PORT}/login`,
    reuseExistingServer: false,
    timeout: 120_000,
    stdout: "pipe",
    stderr: "pipe",
    env: {
      DATABASE_URL: process.env.DATABASE_URL,
      E2E_PORT: PORT,
      E2E_RUNNER_PID: String(process.pid),
    },
  },
});
