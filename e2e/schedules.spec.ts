import { expect, e2eRows, e2eStore, snap, test, unique } from "./fixtures";

function scheduleCount(): number {
  return e2eRows().count("schedules");
}

test("creating a schedule in the form, then editing it", async ({ page }) => {
  const name = unique("digest");
  await page.goto("/schedules");
  await page.getByRole("link", { name: "New schedule" }).first().click();
  await expect(page).toHaveURL(/\/schedules\/new$/);
  const form = page.getByRole("form", { name: "Schedule" });
  await form.getByLabel("Name").fill(name);
  await form.getByLabel("Task").selectOption("demo.echo");
  await form.getByLabel("Arguments").fill('{"digest": true}');
  await form.getByLabel("Schedule type").selectOption("minutes");
  await form.getByLabel("Minutes").fill("15");
  await form.getByLabel("Timezone").fill("Europe/Paris");
  await expect(form.getByLabel("Cron")).toHaveCount(0);
  const preview = page.getByRole("complementary", { name: "Preview" });
  await expect(preview).toContainText("Every 15 minutes, Europe/Paris");
  await expect(preview.getByRole("list", { name: "Next runs" }).getByRole("listitem")).toHaveCount(
    5,
  );
  await snap(page, "schedule-new");
  await form.getByRole("button", { name: "Save" }).click();
  await expect(page).toHaveURL(/\/schedules$/);
  const row = page.getByRole("row").filter({ hasText: name });
  await expect(row).toContainText("Every 15 minutes");
  await expect(row).toContainText("Forever");
  await expect(row.getByRole("switch")).toHaveAttribute("aria-checked", "true");
  await snap(page, "schedules");

  await row.getByRole("link", { name }).click();
  await expect(page.getByRole("heading", { name: `Edit “${name}”` })).toBeVisible();
  await expect(form.getByLabel("Minutes")).toHaveValue("15");
  await form.getByLabel("Schedule type").selectOption("cron");
  await form.getByLabel("Cron").fill("0 8 * * 1");
  await form.getByLabel("Repeats").fill("3");
  await expect(preview).toContainText("08:00");
  await expect(preview).toContainText("Monday");
  await snap(page, "schedule-edit");
  await form.getByRole("button", { name: "Save" }).click();
  await expect(page).toHaveURL(/\/schedules$/);
  await expect(row).toContainText("cron");
  await expect(row).toContainText("3 left");

  await row.getByRole("button", { name: "Run now" }).click();
  await expect(page.getByText(/Enqueued job #\d+/)).toBeVisible();
  await expect(row.getByRole("link", { name: /Success|Queued|Running/ })).toBeVisible();
  await row.getByRole("switch").click();
  await expect(row.getByRole("switch")).toHaveAttribute("aria-checked", "false");
  await row.getByRole("button", { name: "Delete" }).click();
  await page.getByRole("dialog").getByRole("button", { name: "Delete" }).click();
  await expect(page.getByText(`Deleted schedule “${name}”.`)).toBeVisible();
  await expect(row).toHaveCount(0);
});

test("invalid schedule input is refused with an error next to each field and nothing saved", async ({
  page,
}) => {
  const before = scheduleCount();
  await page.goto("/schedules/new");
  const form = page.getByRole("form", { name: "Schedule" });
  await form.getByLabel("Name").fill("");
  await form.getByLabel("Arguments").fill("{broken");
  await form.getByLabel("Schedule type").selectOption("cron");
  await form.getByLabel("Cron").fill("61 25 * *");
  await form.getByLabel("Timezone").fill("Mars/Olympus");
  await form.getByRole("button", { name: "Save" }).click();
  await expect(page.getByText("Nothing was saved: check the highlighted fields.")).toBeVisible();
  await expect(form.getByLabel("Name")).toHaveAttribute("aria-invalid", "true");
  await expect(form.getByLabel("Name")).toHaveAccessibleDescription("Name is required");
  await expect(form.getByLabel("Arguments")).toHaveAccessibleDescription(
    /^Arguments are not valid JSON/,
  );
  await expect(form.getByLabel("Cron")).toHaveAccessibleDescription(/^Cron needs 5 fields/);
  await expect(form.getByLabel("Timezone")).toHaveAccessibleDescription(
    /Unknown timezone "Mars\/Olympus"/,
  );
  await expect(page).toHaveURL(/\/schedules\/new$/);
  // What was typed is still there to correct.
  await expect(form.getByLabel("Cron")).toHaveValue("61 25 * *");
  await expect(form.getByLabel("Arguments")).toHaveValue("{broken");
  await snap(page, "schedule-invalid");
  expect(scheduleCount()).toBe(before);
});

test("a refused save of an hourly schedule changed to cron still shows the cron type", async ({
  page,
}) => {
  const name = unique("hourly");
  const s = await e2eStore().library.createSchedule({
    name,
    task: "demo.echo",
    scheduleType: "hourly",
  });
  await page.goto(`/schedules/${s.id}`);
  const form = page.getByRole("form", { name: "Schedule" });
  const type = form.getByLabel("Schedule type");
  await expect(type).toHaveValue("hourly");
  await type.selectOption("cron");
  await form.getByLabel("Cron").fill("* * 32 * *");
  await form.getByRole("button", { name: "Save" }).click();
  await expect(page.getByText("Nothing was saved: check the highlighted fields.")).toBeVisible();
  // The drop-down shows what the form submits: the cron type, with its field and the message.
  await expect(type).toHaveValue("cron");
  await expect(type.locator("option:checked")).toHaveText("Cron expression");
  await expect(form.getByLabel("Cron")).toHaveValue("* * 32 * *");
  await expect(form.getByLabel("Cron")).toHaveAccessibleDescription(
    'Cron day of month "32" is out of range: allowed 1-31',
  );
  await snap(page, "schedule-refused-cron");
  await page.setViewportSize({ width: 390, height: 844 });
  await expect(type).toHaveValue("cron");
  await snap(page, "schedule-refused-cron-390");
  await page.setViewportSize({ width: 1440, height: 900 });
  await form.getByLabel("Cron").fill("0 0 31 2 *");
  await form.getByRole("button", { name: "Save" }).click();
  await expect(form.getByLabel("Cron")).toHaveAccessibleDescription(/never runs/);
  await expect(type).toHaveValue("cron");
  await form.getByLabel("Cron").fill("0 8 * * *");
  await form.getByRole("button", { name: "Save" }).click();
  await expect(page).toHaveURL(/\/schedules$/);
  const row = await e2eStore().reads.getScheduleRow(s.id);
  expect(row).toMatchObject({ scheduleType: "cron", cron: "0 8 * * *" });
});
