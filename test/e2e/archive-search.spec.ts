import { expect, test } from "@playwright/test";
import { readFixture } from "./support/fixture";
import { expectAccessible, mailboxUrl, signedInAs } from "./support/roles";

test.describe("searching the archive", () => {
  signedInAs("alice");

  test("free text with the match highlighted, in the folder or the whole mailbox", async ({
    page,
  }, testInfo) => {
    const fx = readFixture();
    await page.goto(mailboxUrl(fx.mailboxes.alice));
    await page.getByLabel("Search messages").fill("zebra");
    await page.getByRole("button", { name: "Search" }).click();
    const results = page.getByRole("region", { name: /Search results/ });
    await expect(results.getByRole("heading", { name: "Search results in Inbox" })).toBeVisible();
    await expect(results.getByRole("link", { name: "Quarterly planning notes" })).toBeVisible();
    await expect(results.locator("mark").filter({ hasText: /^zebra$/ })).toBeVisible();
    await expectAccessible(page, "search results");
    await page.screenshot({ path: testInfo.outputPath("search-results.png"), fullPage: true });

    // "budget" is only in Inbox/Projects: not found in the Inbox, found in the whole mailbox
    await page.getByLabel("Search messages").fill("budget");
    await page.getByRole("button", { name: "Search" }).click();
    await expect(page.getByText("No message matches this search.")).toBeVisible();
    await page.getByLabel("Whole mailbox").check();
    await page.getByRole("button", { name: "Search" }).click();
    await expect(page.getByRole("heading", { name: "Search results in the whole mailbox" })).toBeVisible();
    await expect(page.getByRole("link", { name: "Project Phoenix budget" })).toBeVisible();
    await expect(page.getByText("Inbox/Projects", { exact: false }).first()).toBeVisible();
  });

  test("field filters: from, to, subject, body, attachment name, dates, has attachments", async ({
    page,
  }) => {
    const fx = readFixture();
    const search = async (fields: Record<string, string>, check?: { hasAttachments?: boolean }) => {
      await page.goto(mailboxUrl(fx.mailboxes.alice));
      await page.getByText("Filters").click();
      for (const [label, value] of Object.entries(fields))
        await page.getByLabel(label, { exact: true }).fill(value);
      if (check?.hasAttachments) await page.getByLabel("Has attachments").check();
      await page.getByLabel("Whole mailbox").check();
      await page.getByRole("button", { name: "Search" }).click();
      await expect(page.getByRole("heading", { name: "Search results in the whole mailbox" })).toBeVisible();
      return page.getByRole("region", { name: /Search results/ }).getByRole("listitem");
    };

    let hits = await search({ From: "Müller" });
    await expect(hits).toHaveCount(1);
    await expect(hits.first()).toContainText("Rechnung Oktober / invoice October");

    hits = await search({ "To, Cc or Bcc": "carol.chen" });
    await expect(hits).toHaveCount(1);
    await expect(hits.first()).toContainText("Quarterly planning notes");

    hits = await search({ Subject: "newsletter" });
    await expect(hits).toHaveCount(1);
    await expect(hits.first().locator("mark")).toHaveText(["Newsletter"]);

    hits = await search({ Body: "migration" });
    await expect(hits).toHaveCount(1);
    await expect(hits.first().locator("mark")).toContainText(["migration"]);

    hits = await search({ "Attachment name": "Müller" });
    await expect(hits).toHaveCount(1);

    hits = await search({}, { hasAttachments: true });
    await expect(hits).toHaveCount(2); // the invoice (a pdf and a txt) and the newsletter (a named logo.png)

    // the status reports of 2 September (both ends inclusive) sent by Grace: #18, #21, … #39
    hits = await search({
      "Received from (UTC)": "2026-09-02",
      "Received to (UTC)": "2026-09-02",
      From: "Grace",
    });
    await expect(hits).toHaveCount(8);
  });

  test("the search is not kept when the folder changes (seed 000)", async ({ page }) => {
    const fx = readFixture();
    await page.goto(mailboxUrl(fx.mailboxes.alice, { q: "zebra" }));
    await expect(page.getByRole("heading", { name: "Search results in Inbox" })).toBeVisible();
    await page
      .getByRole("navigation", { name: "Folders" })
      .getByRole("link", { name: /^Projects/ })
      .click();
    await expect(page.getByRole("heading", { level: 2, name: "Inbox/Projects" })).toBeVisible();
    await expect(page.getByRole("table")).toBeVisible();
    await expect(page.getByLabel("Search messages")).toHaveValue("");
    expect(new URL(page.url()).searchParams.get("q")).toBeNull();
  });
});
