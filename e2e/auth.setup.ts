import { expect, test as setup } from "@playwright/test";
import { ADMIN_PASSWORD, ADMIN_USERNAME, STORAGE_STATE } from "./fixtures";

setup("sign in as the e2e admin", async ({ page }) => {
  await page.goto("/login");
  await page.getByLabel("Username").fill(ADMIN_USERNAME);
  await page.getByLabel("Password").fill(ADMIN_PASSWORD);
  await page.getByRole("button", { name: "Sign in" }).click();
  await expect(
    page.getByRole("navigation", { name: "Main" }).getByRole("link", { name: "Overview" }),
  ).toBeVisible();
  await page.context().storageState({ path: STORAGE_STATE });
});
