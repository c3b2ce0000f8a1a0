import { expect, test } from "@playwright/test";
import { readFixture } from "./support/fixture";
import { expectAccessible, mailboxUrl, messageUrl, signedInAs } from "./support/roles";

test.describe("browsing the archive as its owner", () => {
  signedInAs("alice");

  test("picks the mailbox, sees the folder tree and the Inbox newest first, pages through it", async ({
    page,
  }, testInfo) => {
    const fx = readFixture();
    await page.goto("/archive");
    await expect(page.getByRole("heading", { level: 1, name: "Archive" })).toBeVisible();
    const mailboxes = page.getByRole("list", { name: "Mailboxes" });
    await expect(mailboxes.getByRole("listitem")).toHaveCount(1);
    await expect(mailboxes).toContainText("Your mailbox");
    await expectAccessible(page, "/archive");
    await page.screenshot({ path: testInfo.outputPath("mailbox-picker.png"), fullPage: true });

    await page.getByRole("link", { name: "Open the archive of Alice Archer" }).click();
    await expect(page.getByRole("heading", { level: 1, name: "Alice Archer" })).toBeVisible();
    const folders = page.getByRole("navigation", { name: "Folders" });
    await expect(folders.getByRole("link", { name: /^Inbox/ })).toHaveAttribute("aria-current", "page");
    await expect(folders.getByRole("link", { name: /^Projects/ })).toBeVisible();
    await expect(page.getByRole("heading", { level: 2, name: "Inbox" })).toBeVisible();

    const table = page.getByRole("table");
    await expect(table.getByRole("row")).toHaveCount(51); // header + 50
    // newest first: the hostile test message is the latest in the Inbox
    await expect(table.getByRole("row").nth(1)).toContainText("Hostile HTML test");
    await expect(page.getByText(`Messages 1–50 of ${fx.aliceInboxCount}`)).toBeVisible();
    await expectAccessible(page, "snapshot view");
    await page.screenshot({ path: testInfo.outputPath("snapshot-view.png"), fullPage: true });

    await page.getByRole("link", { name: "Next page" }).click();
    await expect(page.getByText(`Messages 51–${fx.aliceInboxCount} of ${fx.aliceInboxCount}`)).toBeVisible();
    await expect(page.getByRole("link", { name: "Next page" })).toHaveCount(0);
    await expect(table.getByRole("row").last()).toContainText("Weekly status report #01");
    await page.getByRole("link", { name: "First page" }).click();
    await expect(page.getByText(`Messages 1–50 of ${fx.aliceInboxCount}`)).toBeVisible();
  });

  test("sorts by subject, sender and size from the column headers, in both directions", async ({ page }) => {
    const fx = readFixture();
    await page.goto(mailboxUrl(fx.mailboxes.alice));
    const table = page.getByRole("table");
    const firstSubject = () => table.getByRole("row").nth(1).getByRole("cell").nth(2);

    await page.getByRole("link", { name: /^Subject/ }).click();
    await expect(page.getByRole("columnheader", { name: /Subject/ })).toHaveAttribute(
      "aria-sort",
      "ascending",
    );
    await expect(firstSubject()).toContainText("Contoso Newsletter: autumn edition");
    await page.getByRole("link", { name: /^Subject/ }).click();
    await expect(page.getByRole("columnheader", { name: /Subject/ })).toHaveAttribute(
      "aria-sort",
      "descending",
    );
    await expect(firstSubject()).toContainText("Weekly status report #60");

    await page.getByRole("link", { name: /^Size/ }).click();
    await expect(page.getByRole("columnheader", { name: /Size/ })).toHaveAttribute("aria-sort", "descending");
    const sizes = (await table.getByRole("row").locator("td:last-child").allTextContents()).map(bytesOf);
    expect(sizes.length).toBe(50);
    expect(sizes).toEqual([...sizes].sort((a, b) => b - a));

    await page.getByRole("link", { name: /^From/ }).click();
    await expect(page.getByRole("columnheader", { name: /From/ })).toHaveAttribute("aria-sort", "ascending");
    await expect(table.getByRole("row").nth(1).getByRole("cell").nth(1)).toHaveText("Ada Lovelace");
  });

  test("opens a message: sender, recipients, dates, attachments, history", async ({ page }, testInfo) => {
    const fx = readFixture();
    await page.goto(mailboxUrl(fx.mailboxes.alice));
    await page.getByRole("link", { name: "Quarterly planning notes" }).click();
    await expect(page.getByRole("heading", { level: 1, name: "Quarterly planning notes" })).toBeVisible();
    await expect(
      page.getByRole("definition").filter({ hasText: "bob.brown@contoso-e2e.com" }).first(),
    ).toBeVisible();
    await expect(page.getByRole("definition").filter({ hasText: "Carol Chen" })).toBeVisible(); // Cc
    await expect(page.getByText("2026-09-04 06:00:00 UTC").first()).toBeVisible();
    const body = page.frameLocator("iframe[title^='Message body']");
    await expect(body.getByText(fx.markers.aliceBody)).toBeVisible();
    await expectAccessible(page, "message page");
    await page.screenshot({ path: testInfo.outputPath("message.png"), fullPage: true });

    await page.goto(messageUrl(fx.mailboxes.alice, fx.messages.invoice.graphId));
    const attachments = page.getByRole("region", { name: "Attachments" });
    await expect(attachments.getByText("Rechnung_Müller_&_Söhne.pdf")).toBeVisible();
    await expect(attachments.getByText("notes.txt")).toBeVisible();
    await expect(page.getByRole("region", { name: "History in the archive" })).toContainText("In Inbox from");
  });

  test("the snapshot view shows each data type as a section, with the seed's two empty states", async ({
    page,
  }, testInfo) => {
    const fx = readFixture();
    await page.goto(mailboxUrl(fx.mailboxes.alice));
    const types = page.getByRole("navigation", { name: "Data types" });
    for (const name of ["Mail", "Calendar", "Contacts", "Tasks", "Notes"]) {
      await expect(types.getByRole("link", { name: new RegExp(`^${name}`) })).toBeVisible();
    }
    await types.getByRole("link", { name: /^Calendar/ }).click();
    await expect(
      page.getByRole("heading", { level: 2, name: "No calendar in this mailbox now" }),
    ).toBeVisible();
    await expect(
      page.getByText("Sync is turned on for calendar, but this mailbox has no calendar archived now."),
    ).toBeVisible();
    await expectAccessible(page, "calendar section");

    await types.getByRole("link", { name: /^Notes/ }).click();
    await expect(page.getByRole("heading", { level: 2, name: "Sync is turned off for Notes" })).toBeVisible();
    await expect(page.getByText("The retention policy “Default” does not sync notes")).toBeVisible();
    await page.screenshot({ path: testInfo.outputPath("empty-state-sync-off.png"), fullPage: true });
  });

  test("works from the keyboard: folder, message, back", async ({ page }) => {
    const fx = readFixture();
    await page.goto(mailboxUrl(fx.mailboxes.alice));
    const projects = page
      .getByRole("navigation", { name: "Folders" })
      .getByRole("link", { name: /^Projects/ });
    await projects.focus();
    await expect(projects).toBeFocused();
    await page.keyboard.press("Enter");
    await expect(page.getByRole("heading", { level: 2, name: "Inbox/Projects" })).toBeVisible();
    const message = page.getByRole("link", { name: "Project Phoenix budget" });
    await message.focus();
    await page.keyboard.press("Enter");
    await expect(page.getByRole("heading", { level: 1, name: "Project Phoenix budget" })).toBeVisible();
    // every control on the message page is reachable with Tab and shows a focus outline
    const seen = new Set<string>();
    for (let i = 0; i < 40; i++) {
      await page.keyboard.press("Tab");
      const focus = await page.evaluate(() => {
        const el = document.activeElement as HTMLElement | null;
        if (!el || el === document.body) return null;
        // Focus inside the message body frame: the outline is drawn inside the frame's own document.
        if (el.tagName === "IFRAME") return { name: "message body", outline: true };
        const style = getComputedStyle(el);
        return {
          name: (el.getAttribute("aria-label") ?? el.getAttribute("title") ?? el.textContent ?? "").trim(),
          outline: style.outlineStyle !== "none" && Number.parseFloat(style.outlineWidth) > 0,
        };
      });
      if (!focus) break;
      expect(focus.outline, `focus outline on "${focus.name}"`).toBe(true);
      seen.add(focus.name);
    }
    expect([...seen]).toEqual(
      expect.arrayContaining(["View original headers", "Download EML", "Inbox/Projects"]),
    );
  });

  test("holds together on a phone-sized screen", async ({ page }, testInfo) => {
    const fx = readFixture();
    await page.setViewportSize({ width: 375, height: 740 });
    await page.goto(mailboxUrl(fx.mailboxes.alice));
    await expect(page.getByRole("heading", { level: 1, name: "Alice Archer" })).toBeVisible();
    const overflow = await page.evaluate(() => document.documentElement.scrollWidth - window.innerWidth);
    expect(overflow).toBeLessThanOrEqual(0);
    await expectAccessible(page, "snapshot view on a phone");
    await page.screenshot({ path: testInfo.outputPath("snapshot-phone.png"), fullPage: true });
    await page.goto(messageUrl(fx.mailboxes.alice, fx.messages.quarterly.graphId));
    expect(
      await page.evaluate(() => document.documentElement.scrollWidth - window.innerWidth),
    ).toBeLessThanOrEqual(0);
  });
});

/** "2 KB" / "973 B" / "1.5 MB" back to (approximate) bytes. */
function bytesOf(text: string): number {
  const [n, unit] = text.trim().split(/\s+/);
  const factor = unit === "KB" ? 1024 : unit === "MB" ? 1024 ** 2 : unit === "GB" ? 1024 ** 3 : 1;
  return Number(n) * factor;
}
