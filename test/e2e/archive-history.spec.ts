import { expect, test } from "@playwright/test";
import { readFixture } from "./support/fixture";
import { expectAccessible, mailboxUrl, signedInAs } from "./support/roles";

/**
 * The archive keeps history: between the two syncs of the e2e setup, "Lunch on Friday?" was deleted from
 * the Inbox and "Phoenix kickoff agenda" was moved to Inbox/Projects.
 */
test.describe("the mailbox at another time, and Full View", () => {
  signedInAs("alice");

  test("now, the deleted and the moved message are not in the Inbox", async ({ page }) => {
    const fx = readFixture();
    await page.goto(mailboxUrl(fx.mailboxes.alice));
    await expect(page.getByRole("table")).toBeVisible();
    await expect(page.getByRole("link", { name: fx.messages.deleted.subject })).toHaveCount(0);
    await expect(page.getByRole("link", { name: fx.messages.moved.subject })).toHaveCount(0);
  });

  test("switching the snapshot time to before the deletion shows the mailbox as it was", async ({
    page,
  }, testInfo) => {
    const fx = readFixture();
    await page.goto(mailboxUrl(fx.mailboxes.alice));
    // The picker takes UTC to the second; the e2e setup recorded a whole second between the two syncs.
    await page.getByLabel("Snapshot date and time (UTC)").fill(fx.afterFirstSync.slice(0, 19));
    await page.getByRole("button", { name: "Load mailbox" }).click();
    await expect(
      page.getByText(
        `Showing the mailbox as it was at ${fx.afterFirstSync.slice(0, 19).replace("T", " ")} UTC`,
      ),
    ).toBeVisible();
    await expect(page).toHaveURL(/at=/);
    await expect(page.getByRole("link", { name: fx.messages.deleted.subject })).toBeVisible();
    await expect(page.getByRole("link", { name: fx.messages.moved.subject })).toBeVisible();
    await expect(page.getByText(`Messages 1–50 of ${fx.aliceInboxCount + 2}`)).toBeVisible();
    // no status markers: at that time both messages simply were in the Inbox
    await expect(page.getByRole("table").getByText("Deleted", { exact: true })).toHaveCount(0);
    await page.screenshot({ path: testInfo.outputPath("snapshot-before-deletion.png"), fullPage: true });

    // Folder links keep the point in time.
    await page
      .getByRole("navigation", { name: "Folders" })
      .getByRole("link", { name: /^Projects/ })
      .click();
    await expect(page.getByRole("link", { name: "Project Phoenix budget" })).toBeVisible();
    await expect(page.getByRole("link", { name: fx.messages.moved.subject })).toHaveCount(0);
  });

  test("Full View now finds the since-deleted message, marked, where it was", async ({ page }, testInfo) => {
    const fx = readFixture();
    await page.goto(mailboxUrl(fx.mailboxes.alice));
    await page.getByLabel("Full View (show deleted and moved messages)").check();
    await page.getByRole("button", { name: "Load mailbox" }).click();
    await expect(
      page.getByText("Full View: deleted and moved messages are listed where they were, marked."),
    ).toBeVisible();

    const deletedRow = page.getByRole("row").filter({ hasText: fx.messages.deleted.subject });
    await expect(deletedRow).toBeVisible();
    await expect(deletedRow.getByText("Deleted", { exact: true })).toBeVisible();
    const movedRow = page.getByRole("row").filter({ hasText: fx.messages.moved.subject });
    await expect(movedRow.getByText("Moved", { exact: true })).toBeVisible();
    await expectAccessible(page, "Full View");
    await page.screenshot({ path: testInfo.outputPath("full-view.png"), fullPage: true });

    await deletedRow.getByRole("link", { name: fx.messages.deleted.subject }).click();
    await expect(page.getByRole("heading", { level: 1, name: fx.messages.deleted.subject })).toBeVisible();
    await expect(page.getByText(/This message was deleted from the mailbox at/)).toBeVisible();
    await expect(
      page.frameLocator("iframe[title^='Message body']").getByText("Shall we try the new place on Friday?"),
    ).toBeVisible();
    await page.screenshot({ path: testInfo.outputPath("deleted-message.png"), fullPage: true });
  });

  test("without Full View, a since-deleted message's page is not found", async ({ page }) => {
    const fx = readFixture();
    const response = await page.goto(
      `/archive/${fx.mailboxes.alice}/messages/${encodeURIComponent(fx.messages.deleted.graphId)}`,
    );
    expect(response?.status()).toBe(404);
  });
});
