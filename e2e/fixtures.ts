/**
 * Fixtures of the dashboard specs: a signed-in admin (storage state written by auth.setup.ts),
 * the e2e database's store and row helpers, and a screenshot helper (e2e/.artifacts).
 */
import path from "node:path";
import { test as base, expect, type Page } from "@playwright/test";
import { getStore, type Store } from "@/db/store";
import { testRows, type TestRows } from "@/db/testing/dash-rows";

/** The admin created by e2e/serve.ts through the CLI. */
export const ADMIN_USERNAME = process.env.E2E_ADMIN ?? "e2e-admin";
/** Its password (JOBDECK_PASSWORD given to `admin create`). */
export const ADMIN_PASSWORD = process.env.E2E_PASSWORD ?? "Deck-Test-Passw0rd-42!";
/** Where the signed-in browser state is kept between the setup and the specs. */
export const STORAGE_STATE = path.resolve(import.meta.dirname, ".tmp/admin-state.json");

/** The web server's database (DATABASE_URL set by the Playwright config). */
const E2E_DATABASE = process.env.DATABASE_URL ?? "e2e/.tmp/e2e.db";

/** The store of the web server's database. */
export function e2eStore(): Store {
  return getStore(E2E_DATABASE);
}

/** Row helpers on the web server's database, for what the store has no method for. */
export function e2eRows(): TestRows {
  return testRows(E2E_DATABASE);
}

/** Saves a full-page screenshot into e2e/.artifacts/screenshots/<name>.png. */
export async function snap(page: Page, name: string) {
  await page.screenshot({
    path: path.resolve(import.meta.dirname, ".artifacts/screenshots", `${name}.png`),
    fullPage: true,
  });
}

/** Playwright's test, signed in as the admin. */
export const test = base.extend({
  storageState: STORAGE_STATE,
});

export { expect };

/** Waits until a job has finished (is in results); returns its final state. */
export async function waitForOutcome(
  id: number,
  timeoutMs = 30_000,
): Promise<"success" | "failure"> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    const job = await e2eStore().reads.getJobDetail(id);
    if (job && (job.state === "success" || job.state === "failure")) return job.state;
    await new Promise((r) => setTimeout(r, 200));
  }
  throw new Error(`job ${id} did not finish within ${timeoutMs} ms`);
}

/** A short unique suffix so specs never see each other's rows. */
export function unique(prefix: string): string {
  return `${prefix}-${Date.now().toString(36)}${Math.floor(Math.random() * 1e4)}`;
}
