import * as library from "@/db";
import { expect, test, unique } from "./fixtures";

test("the empty Queue names library functions that exist", async ({ page }) => {
  await page.goto(`/queue?queue=${unique("nothing-here")}`);
  const empty = page.getByText("Enqueue a job with the form");
  await expect(empty).toBeVisible();
  const calls = (await empty.locator("code").allTextContents()).filter((c) => c.endsWith("()"));
  expect(calls).toEqual(["enqueue()"]);
  for (const call of calls) {
    const name = call.slice(0, -2) as keyof typeof library;
    expect(typeof library[name], `${name} is not in the library (README)`).toBe("function");
  }
});
