import { readFileSync } from "node:fs";
import { expect, test } from "@playwright/test";
import ICAL from "ical.js";
import { sql } from "kysely";
import { closeE2eDb, e2eDb } from "./admin-helpers";
import { readFixture } from "./support/fixture";
import { PIM_SEED } from "./support/pim-seed";
import { expectAccessible, signedInAs } from "./support/roles";

/**
 * The calendar, contacts, tasks and notes sections of the snapshot view, against bob's mailbox as the
 * e2e tenant archived it with the real PIM sync (support/pim-seed.ts): a weekly series with a cancelled
 * day and a moved occurrence, and a "Dentist" event deleted between the two syncs.
 */
signedInAs("bob");

const calendarUrl = (query: Record<string, string>) =>
  `/archive/${readFixture().mailboxes.bob}/calendar?${new URLSearchParams(query).toString()}`;

test.afterAll(closeE2eDb);

/** A literal string inside a RegExp (subjects contain parentheses). */
const re = (prefix: string, text: string) =>
  new RegExp(`${prefix}${text.replace(/[.*+?^${}()|[\]\\]/g, "\\$&")}`);

test.describe("calendar at a point in time", () => {
  test("month view: the series' occurrences, the moved one in its place, no cancelled day, no deleted event now", async ({
    page,
  }) => {
    await page.goto(calendarUrl({ date: PIM_SEED.month }));
    await expect(page.getByRole("heading", { level: 2, name: /Month: March 2026/ })).toBeVisible();
    const grid = page.getByRole("table");
    // Mondays 2, 23 and 30 at 09:00; the 9th is cancelled; the 16th moved to 14:00.
    await expect(grid.getByRole("link", { name: `09:00 ${PIM_SEED.series}`, exact: false })).toHaveCount(3);
    await expect(grid.getByRole("link", { name: re("^14:00 ", PIM_SEED.moved) })).toBeVisible();
    await expect(page.getByRole("list", { name: "Events on Monday, March 9, 2026" })).toHaveCount(0);
    await expect(page.getByRole("link", { name: new RegExp(PIM_SEED.deletedEvent) })).toHaveCount(0);
    await expectAccessible(page, "calendar month view");
  });

  test("an event deleted later still shows at an earlier snapshot time, and its .ics downloads", async ({
    page,
  }) => {
    const fx = readFixture();
    await page.goto(calendarUrl({ date: PIM_SEED.month, at: fx.afterFirstSync.slice(0, 19) }));
    const dentist = page.getByRole("link", { name: new RegExp(`15:00 ${PIM_SEED.deletedEvent}`) });
    await expect(dentist).toBeVisible();
    // Keyboard: focus the event and open it with Enter.
    await dentist.focus();
    await page.keyboard.press("Enter");
    await expect(page.getByRole("heading", { level: 2, name: PIM_SEED.deletedEvent })).toBeVisible();
    await expectAccessible(page, "event detail");
    const eventId = decodeURIComponent(new URL(page.url()).pathname.split("/").at(-1) ?? "");
    const [download] = await Promise.all([
      page.waitForEvent("download"),
      page.getByRole("link", { name: "Download .ics" }).click(),
    ]);
    const ics = readFileSync((await download.path()) as string, "utf8");
    expect(ics.startsWith("BEGIN:VCALENDAR")).toBe(true);
    const vevent = new ICAL.Component(ICAL.parse(ics)).getFirstSubcomponent("vevent");
    expect(vevent?.getFirstPropertyValue("summary")).toBe(PIM_SEED.deletedEvent);
    const uid = String(vevent?.getFirstPropertyValue("uid") ?? "");
    expect(uid.length).toBeGreaterThan(0);
    // The download is audited with the event and the snapshot time.
    const rows = await sql<{ target: string; actor_upn: string }>`
      SELECT target, actor_upn FROM audit_log WHERE action = 'calendar.ics_download' AND target = ${eventId}`.execute(
      e2eDb(),
    );
    expect(rows.rows.map((r) => r.actor_upn)).toContain(fx.users.bob.upn);

    // Now (after the deletion) the event is gone from the archive's present.
    const now = await page.request.get(
      `/archive/${fx.mailboxes.bob}/calendar/${encodeURIComponent(eventId)}/ics`,
    );
    expect(now.status()).toBe(404);
  });

  test("week and agenda views list the same instances", async ({ page }) => {
    await page.goto(calendarUrl({ view: "week", date: PIM_SEED.movedDay }));
    const monday = page.getByRole("row", { name: /Monday, March 16, 2026/ });
    await expect(monday.getByRole("link", { name: re("", PIM_SEED.moved) })).toBeVisible();
    await expectAccessible(page, "calendar week view");

    await page.goto(calendarUrl({ view: "agenda", date: PIM_SEED.month }));
    const agenda = page.getByRole("list", { name: "Agenda" });
    await expect(agenda.getByRole("link", { name: new RegExp(`^09:00 ${PIM_SEED.series}`) })).toHaveCount(3);
    await expect(agenda.getByText("Monday, March 9, 2026")).toHaveCount(0);
    await expectAccessible(page, "calendar agenda view");
  });

  test("the series .ics has the recurrence, the cancelled day and the moved occurrence", async ({ page }) => {
    await page.goto(calendarUrl({ date: PIM_SEED.month }));
    await page
      .getByRole("link", { name: new RegExp(`^09:00 ${PIM_SEED.series}`) })
      .first()
      .click();
    const [download] = await Promise.all([
      page.waitForEvent("download"),
      page.getByRole("link", { name: "Download .ics" }).click(),
    ]);
    const ics = readFileSync((await download.path()) as string, "utf8");
    expect(ics.startsWith("BEGIN:VCALENDAR")).toBe(true);
    expect(ics).toMatch(/^RRULE:FREQ=WEEKLY/m);
    expect(ics).toMatch(/^EXDATE.*20260309/m);
    expect(ics).toMatch(/^RECURRENCE-ID.*20260316/m);
  });
});

test.describe("contacts, tasks, notes", () => {
  test("contacts show as cards with every phone, and the .vcf downloads", async ({ page }) => {
    await page.goto(`/archive/${readFixture().mailboxes.bob}/contacts`);
    const card = page.getByRole("article", { name: PIM_SEED.contact });
    await expect(card.getByText(PIM_SEED.contactPhone)).toBeVisible();
    await expect(card.getByText("assistant")).toBeVisible();
    await expectAccessible(page, "contacts");
    const [download] = await Promise.all([
      page.waitForEvent("download"),
      card.getByRole("link", { name: `Download .vcf of ${PIM_SEED.contact}` }).click(),
    ]);
    const vcf = readFileSync((await download.path()) as string, "utf8");
    expect(vcf.startsWith("BEGIN:VCARD")).toBe(true);
    expect(vcf).toContain(`FN:${PIM_SEED.contact}`);
    expect(vcf).toContain(PIM_SEED.contactPhone);
  });

  test("tasks show with their steps; notes say their sync is off", async ({ page }) => {
    const bob = readFixture().mailboxes.bob;
    await page.goto(`/archive/${bob}/tasks`);
    await expect(page.getByRole("heading", { level: 2, name: PIM_SEED.taskList })).toBeVisible();
    const steps = page.getByRole("list", { name: `Steps of ${PIM_SEED.task}` });
    await expect(steps.getByText(PIM_SEED.steps[0])).toBeVisible();
    await expect(steps.getByText("(done)")).toHaveCount(1);
    await expect(page.getByText(/high importance/)).toBeVisible();
    await expectAccessible(page, "tasks");

    await page.goto(`/archive/${bob}/notes`);
    await expect(page.getByRole("heading", { level: 2, name: "Sync is turned off for Notes" })).toBeVisible();
    await expect(
      page.getByRole("heading", { name: "What Microsoft Graph does not provide for notes" }),
    ).toBeVisible();
    await expectAccessible(page, "notes");
  });

  test("another user's calendar is refused", async ({ page }) => {
    const response = await page.goto(`/archive/${readFixture().mailboxes.alice}/calendar`);
    expect([403, 404]).toContain(response?.status());
  });
});
