import { createHash } from "node:crypto";
import { readFileSync } from "node:fs";
import { listAudit } from "@coffer/db/audit/audit-log";
import { createDb } from "@coffer/db/client";
import { expect, type Page, test } from "@playwright/test";
import { simpleParser } from "mailparser";
import { readFixture } from "./support/fixture";
import { apiAs, expectAccessible, messageUrl, signedInAs } from "./support/roles";
import { simMessageBytes } from "./support/sim-graph";

const sha256 = (b: Buffer) => createHash("sha256").update(b).digest("hex");

async function download(page: Page, name: string | RegExp): Promise<{ bytes: Buffer; filename: string }> {
  const [file] = await Promise.all([page.waitForEvent("download"), page.getByRole("link", { name }).click()]);
  const path = await file.path();
  return { bytes: readFileSync(path), filename: file.suggestedFilename() };
}

async function canaryHits(): Promise<Array<{ url: string }>> {
  return (await (await fetch(`${readFixture().canaryUrl}/_hits`)).json()) as Array<{ url: string }>;
}

test.describe("message content as the mailbox's owner", () => {
  signedInAs("alice");

  test("Download EML gives exactly the bytes Microsoft 365 (the simulator) holds", async ({ page }) => {
    const fx = readFixture();
    await page.goto(messageUrl(fx.mailboxes.alice, fx.messages.invoice.graphId));
    const { bytes, filename } = await download(page, "Download EML");
    const original = await simMessageBytes(fx, fx.users.alice.upn, fx.messages.invoice.graphId);
    expect(bytes.length).toBe(original.length);
    expect(bytes.equals(original)).toBe(true);
    expect(sha256(bytes)).toBe(fx.messages.invoice.sha256);
    expect(filename).toBe("Rechnung Oktober _ invoice October.eml");
  });

  test("an attachment downloads byte for byte, with its original (non-ASCII) name", async ({ page }) => {
    const fx = readFixture();
    await page.goto(messageUrl(fx.mailboxes.alice, fx.messages.invoice.graphId));
    const original = await simpleParser(
      await simMessageBytes(fx, fx.users.alice.upn, fx.messages.invoice.graphId),
    );
    const pdf = original.attachments.find((a) => a.filename === "Rechnung_Müller_&_Söhne.pdf");
    expect(pdf).toBeDefined();
    const { bytes, filename } = await download(page, "Download Rechnung_Müller_&_Söhne.pdf");
    expect(filename).toBe("Rechnung_Müller_&_Söhne.pdf");
    expect(bytes.equals(pdf!.content)).toBe(true);
  });

  test("View original headers shows the header section exactly as archived", async ({ page }, testInfo) => {
    const fx = readFixture();
    await page.goto(messageUrl(fx.mailboxes.alice, fx.messages.invoice.graphId));
    await page.getByRole("link", { name: "View original headers" }).click();
    await expect(page.getByRole("heading", { level: 1, name: "Original headers" })).toBeVisible();
    const original = (await simMessageBytes(fx, fx.users.alice.upn, fx.messages.invoice.graphId)).toString(
      "utf8",
    );
    const headerSection = original.slice(0, original.indexOf("\r\n\r\n"));
    const shown =
      (await page.getByRole("region", { name: "Header section" }).locator("pre").textContent()) ?? "";
    expect(shown.replace(/\r?\n/g, "\n").trim()).toBe(headerSection.replace(/\r\n/g, "\n").trim());
    expect(shown).toContain("Message-ID: <invoice-october@mueller-e2e.de>");
    await expectAccessible(page, "headers page");
    await page.screenshot({ path: testInfo.outputPath("original-headers.png"), fullPage: true });
  });

  test("a hostile HTML message renders without running or fetching anything", async ({ page }, testInfo) => {
    const fx = readFixture();
    const canaryOrigin = new URL(fx.canaryUrl).origin;
    await fetch(`${fx.canaryUrl}/_reset`, { method: "POST" });
    const outside: string[] = [];
    page.on("request", (r) => {
      if (!r.url().startsWith(fx.portalUrl)) outside.push(r.url());
    });
    const dialogs: string[] = [];
    page.on("dialog", (d) => {
      dialogs.push(d.message());
      void d.dismiss();
    });

    await page.goto(messageUrl(fx.mailboxes.alice, fx.messages.hostile.graphId));
    const frame = page.frameLocator("iframe[title^='Message body']");
    await expect(frame.getByText("Hostile but harmless text")).toBeVisible();
    await page.waitForLoadState("networkidle");
    await expect(page.getByText("3 remote images blocked to protect your privacy.")).toBeVisible();

    // nothing ran: no flag on the portal page, no title change, no dialog
    expect(
      await page.evaluate(() => (window as unknown as { __cofferPwned?: unknown }).__cofferPwned),
    ).toBeUndefined();
    expect(await page.title()).not.toContain("pwned");
    expect(dialogs).toEqual([]);
    // nothing active survived sanitising
    for (const selector of [
      "script",
      "form",
      "input",
      "iframe",
      "object",
      "embed",
      "svg",
      "video",
      "audio",
      "link",
      "base",
      "meta[http-equiv]",
      "[onload]",
      "[onerror]",
      "[onclick]",
      "a[href^='javascript:']",
    ]) {
      await expect(frame.locator(selector), selector).toHaveCount(0);
    }
    await expect(frame.locator("img[src]")).toHaveCount(0);
    // the frame cannot run scripts even if something slipped through, and its document has its own policy
    await expect(page.locator("iframe[title^='Message body']")).toHaveAttribute(
      "sandbox",
      "allow-popups allow-popups-to-escape-sandbox",
    );
    const body = await (await apiAs("alice")).get(
      messageUrl(fx.mailboxes.alice, fx.messages.hostile.graphId, "/body"),
    );
    const csp = body.headers()["content-security-policy"] ?? "";
    expect(csp).toContain("default-src 'none'");
    expect(csp).toContain("img-src data:;");
    expect(csp).toContain("sandbox allow-popups");
    expect(csp).not.toContain("allow-scripts");
    // nothing was fetched: not by the browser, not anywhere (the canary server saw no request)
    expect(outside.filter((u) => u.startsWith(canaryOrigin))).toEqual([]);
    expect(await canaryHits()).toEqual([]);
    await page.screenshot({ path: testInfo.outputPath("hostile-message.png"), fullPage: true });
  });

  test("Load remote content loads remote images for that message only, and still runs nothing", async ({
    page,
  }) => {
    const fx = readFixture();
    await fetch(`${fx.canaryUrl}/_reset`, { method: "POST" });
    await page.goto(messageUrl(fx.mailboxes.alice, fx.messages.hostile.graphId));
    await page.getByRole("link", { name: "Load remote content" }).click();
    await expect(page.getByRole("link", { name: "Block remote content" })).toBeVisible();
    const frame = page.frameLocator("iframe[title^='Message body']");
    await expect(frame.locator("img[src$='/remote.png']")).toHaveCount(1);
    await expect.poll(async () => (await canaryHits()).map((h) => h.url)).toContain("/remote.png");
    const hits = (await canaryHits()).map((h) => h.url);
    // images only: no form post, frame, object, refresh, stylesheet, import or script fetch
    for (const path of hits) expect(path, path).toMatch(/\.png$/);
    expect(
      await page.evaluate(() => (window as unknown as { __cofferPwned?: unknown }).__cofferPwned),
    ).toBeUndefined();

    // another message still starts blocked
    await page.goto(messageUrl(fx.mailboxes.alice, fx.messages.newsletter.graphId));
    await expect(page.getByText("1 remote image blocked to protect your privacy.")).toBeVisible();
  });

  test("every read of content is in the audit log: who, what, when, from where", async ({ page }) => {
    const fx = readFixture();
    const startedAt = new Date(Date.now() - 1000);
    await page.goto(messageUrl(fx.mailboxes.alice, fx.messages.quarterly.graphId));
    await expect(
      page.frameLocator("iframe[title^='Message body']").getByText(fx.markers.aliceBody),
    ).toBeVisible();
    await page.getByRole("link", { name: "View original headers" }).click();
    await expect(page.getByRole("heading", { level: 1, name: "Original headers" })).toBeVisible();
    await page.goto(messageUrl(fx.mailboxes.alice, fx.messages.quarterly.graphId));
    await download(page, "Download EML");
    await page.goto(messageUrl(fx.mailboxes.alice, fx.messages.invoice.graphId));
    await download(page, "Download notes.txt");

    const db = createDb(fx.databaseUrl, 1);
    try {
      const rows = await listAudit(db, { actorUpn: fx.users.alice.upn, from: startedAt, limit: 500 });
      const actions = rows.map((r) => `${r.action} ${r.target}`);
      for (const expected of [
        `message.view ${fx.messages.quarterly.graphId}`,
        `message.body ${fx.messages.quarterly.graphId}`,
        `message.headers ${fx.messages.quarterly.graphId}`,
        `message.eml_download ${fx.messages.quarterly.graphId}`,
        `message.attachment_download ${fx.messages.invoice.graphId}`,
      ]) {
        expect(actions).toContain(expected);
      }
      for (const r of rows) {
        expect(r.actor_entra_id).toBe(fx.users.alice.oid);
        expect(r.mailbox_id).toBe(fx.mailboxes.alice);
        expect(r.ip).toMatch(/127\.0\.0\.1|::1/);
        expect(r.user_agent).toContain("Chrome");
        expect(r.detail).toMatchObject({ via: "owner" });
      }
    } finally {
      await db.destroy();
    }
  });
});

test.describe("message content as a delegate", () => {
  signedInAs("carol");

  test("the delegate opens the mailbox it was given and reads and downloads its mail", async ({ page }) => {
    const fx = readFixture();
    await page.goto("/archive");
    const list = page.getByRole("list", { name: "Mailboxes" });
    await expect(list.getByRole("listitem")).toHaveCount(2);
    await expect(list.getByRole("listitem").filter({ hasText: "Alice Archer" })).toContainText(
      "Delegate access",
    );
    await page.getByRole("link", { name: "Open the archive of Alice Archer" }).click();
    await expect(page.getByText("Delegate access")).toBeVisible();
    await page.getByRole("link", { name: "Quarterly planning notes" }).click();
    await expect(
      page.frameLocator("iframe[title^='Message body']").getByText(fx.markers.aliceBody),
    ).toBeVisible();
    const { bytes } = await download(page, "Download EML");
    expect(sha256(bytes)).toBe(fx.messages.quarterly.sha256);

    const db = createDb(fx.databaseUrl, 1);
    try {
      const rows = await listAudit(db, { actorUpn: fx.users.carol.upn, action: "message.eml_download" });
      expect(rows[0]).toMatchObject({
        mailbox_id: fx.mailboxes.alice,
        target: fx.messages.quarterly.graphId,
        detail: { via: "delegate" },
      });
    } finally {
      await db.destroy();
    }
  });
});
