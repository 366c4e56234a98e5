import type { Page } from "@playwright/test";
import { e2eRows, expect, snap, test, unique } from "./fixtures";

/** Opens the Queue page and picks `task` in its enqueue form; returns the form. */
async function openEnqueueForm(page: Page, task: string) {
  await page.goto("/queue");
  const form = page.getByRole("form", { name: "Enqueue a job" });
  await form.getByLabel("Task").selectOption(task);
  return form;
}

const jobsNamed = (name: string) =>
  [...e2eRows().rows("jobs", { name }), ...e2eRows().rows("results", { name })].map(
    ({ task, args }) => ({ task, args }),
  );

test("after a refused enqueue the form shows the task and arguments it will submit", async ({
  page,
}) => {
  const form = await openEnqueueForm(page, "demo.sleep");
  await form.getByLabel("Arguments").fill('{"ms": 500');
  await form.getByRole("button", { name: "Enqueue job" }).click();
  await expect(form.getByText(/Not valid JSON/)).toBeVisible();
  await expect(form.getByLabel("Task")).toHaveValue("demo.sleep");
  await expect(form.getByLabel("Arguments")).toHaveValue('{"ms": 500');
  await expect(form.getByText("Waits ms milliseconds")).toBeVisible();

  const name = unique("sleep-after-error");
  await form.getByLabel("Arguments").fill('{"ms": 500}');
  await form.getByLabel("Name").fill(name);
  await form.getByRole("button", { name: "Enqueue job" }).click();
  await expect(page.getByText(/Enqueued job #\d+/)).toBeVisible();
  expect(jobsNamed(name)).toEqual([{ task: "demo.sleep", args: '{"ms":500}' }]);
  // Accepted: the same task and arguments stay, ready to enqueue again.
  await expect(form.getByLabel("Task")).toHaveValue("demo.sleep");
  await expect(form.getByLabel("Arguments")).toHaveValue('{"ms": 500}');
  await expect(form.getByLabel("Name")).toHaveValue("");
});

test("the enqueue form shows the task's fields and refuses arguments its schema refuses", async ({
  page,
}) => {
  const form = await openEnqueueForm(page, "demo.sleep");
  const ms = form.getByRole("group", { name: "Task arguments" }).getByLabel("ms");
  await expect(form.getByText("whole number, 0 to 86400000, required")).toBeVisible();
  await ms.fill("soon");
  await expect(form.getByLabel("Arguments")).toHaveValue('{"ms":"soon"}');
  const name = unique("sleep-soon");
  await form.getByLabel("Name").fill(name);
  await form.getByRole("button", { name: "Enqueue job" }).click();
  await expect(
    form.getByText("args.ms: expected a whole number, got a string (task demo.sleep)"),
  ).toBeVisible();
  await expect(form.getByLabel("Arguments")).toHaveAttribute("aria-invalid", "true");
  await expect(ms).toHaveAttribute("aria-invalid", "true");
  expect(jobsNamed(name)).toEqual([]);
  await snap(page, "enqueue-form-schema-refused");
  await page.setViewportSize({ width: 390, height: 844 });
  await form.scrollIntoViewIfNeeded();
  await snap(page, "enqueue-form-schema-refused-390");
  await page.context().addCookies([{ name: "jobdeck_theme", value: "dark", url: page.url() }]);
  await page.reload();
  await form.getByLabel("Task").selectOption("demo.sleep");
  await ms.fill("soon");
  await form.getByLabel("Name").fill(name);
  await form.getByRole("button", { name: "Enqueue job" }).click();
  await expect(form.getByText(/args\.ms: expected a whole number/)).toBeVisible();
  await snap(page, "enqueue-form-schema-refused-390-dark");
  await page.setViewportSize({ width: 1440, height: 900 });
  await snap(page, "enqueue-form-schema-refused-dark");
  await page.context().clearCookies({ name: "jobdeck_theme" });

  await form.getByRole("group", { name: "Task arguments" }).getByLabel("ms").fill("250");
  await expect(form.getByLabel("Arguments")).toHaveValue('{"ms":250}');
  await form.getByRole("button", { name: "Enqueue job" }).click();
  await expect(page.getByText(/Enqueued job #\d+/)).toBeVisible();
  expect(jobsNamed(name)).toEqual([{ task: "demo.sleep", args: '{"ms":250}' }]);
  await snap(page, "enqueue-form-schema-fields");
});

test("the JSON API refuses arguments the task's schema refuses, naming the argument", async ({
  page,
  baseURL,
}) => {
  await page.goto("/queue");
  const response = await page.request.post("/api/v1/jobs", {
    headers: { origin: baseURL! },
    data: { task: "demo.sleep", args: { ms: "soon" } },
  });
  expect(response.status()).toBe(400);
  expect(JSON.stringify(await response.json())).toContain(
    "args.ms: expected a whole number, got a string",
  );
});
