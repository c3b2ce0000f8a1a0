import { getRetentionSettings } from "@coffer/db/retention/index";
import { expect, test } from "@playwright/test";
import { closeE2eDb, e2eDb } from "./admin-helpers";
import { apiAs, expectAccessible, signedInAs } from "./support/roles";

/**
 * The retention policy and legal holds pages: out-of-range days are refused with the server's sentence
 * next to the field and nothing saved (read back from the database), a valid change shows the preview's
 * confirmation text and is applied only on Confirm, and non-admins get 404 / 401.
 */
test.afterAll(closeE2eDb);

const rules = async () => (await getRetentionSettings(e2eDb())).defaultPolicy.rules;

test.describe("as an administrator", () => {
  signedInAs("erin");

  test("rejects 0 and 36,136 days with a clear message and changes nothing", async ({ page }) => {
    const before = await rules();
    await page.goto("/admin/retention");
    await expect(page.getByRole("heading", { level: 1, name: "Retention policy" })).toBeVisible();
    await expectAccessible(page, "retention policy page");

    const mail = page.getByLabel("Retention days for mail");
    for (const [value, message] of [
      ["0", "Retention must be at least 1 day (0 was given)."],
      ["36136", "Retention can be at most 36,135 days, 99 years (36,136 was given)."],
    ] as const) {
      await mail.fill(value);
      await page.getByRole("button", { name: "Save" }).click();
      await expect(page.locator("#days-mail-error")).toContainText(message);
      await expect(mail).toHaveAttribute("aria-invalid", "true");
      await expect(page.getByRole("alert").filter({ hasText: "Nothing was changed." })).toBeVisible();
      await expect(page.getByRole("alertdialog")).toHaveCount(0);
      expect(await rules()).toEqual(before);
    }
    await expectAccessible(page, "retention policy page with errors");
  });

  test("a valid change shows the confirmation text and applies on Confirm", async ({ page }) => {
    const before = await rules();
    const contacts = before.find((r) => r.dataType === "contacts");
    expect(contacts).toBeDefined();
    const longer = (contacts?.retentionDays ?? 2555) + 10;
    await page.goto("/admin/retention");
    await page.getByLabel("Retention days for contacts").fill(String(longer));
    await page.getByRole("button", { name: "Save" }).click();
    const dialog = page.getByRole("alertdialog");
    await expect(dialog).toBeVisible();
    await expect(dialog.getByRole("listitem").first()).toBeVisible();
    await expectAccessible(page, "retention confirmation");
    // Nothing is saved before the confirmation.
    expect(await rules()).toEqual(before);
    await dialog.getByRole("button").click();
    await expect(page.getByRole("status").filter({ hasText: /./ }).last()).toBeVisible();
    await expect
      .poll(async () => (await rules()).find((r) => r.dataType === "contacts")?.retentionDays)
      .toBe(longer);
    // The other types are untouched.
    expect((await rules()).filter((r) => r.dataType !== "contacts")).toEqual(
      before.filter((r) => r.dataType !== "contacts"),
    );
  });

  test("legal holds: place and release", async ({ page }) => {
    await page.goto("/admin/holds");
    await expect(page.getByRole("heading", { level: 1, name: "Legal holds" })).toBeVisible();
    await expectAccessible(page, "legal holds page");
    const form = page.getByRole("form", { name: "Place a legal hold" });
    await form.getByLabel("Mailbox (UPN)").fill("nobody@contoso-e2e.com");
    await form.getByLabel("Reason (matter or case)").fill("Case 1");
    await form.getByRole("button", { name: "Place hold" }).click();
    await expect(form.getByRole("alert")).toContainText("Nothing was changed.");

    const bob = "bob.brown@contoso-e2e.com";
    await form.getByLabel("Mailbox (UPN)").fill(bob);
    await form.getByLabel("Reason (matter or case)").fill("Case 1");
    await form.getByRole("button", { name: "Place hold" }).click();
    await expect(form.getByRole("status")).toBeVisible();
    await page.reload();
    await page.getByRole("button", { name: `Release the hold on ${bob}` }).click();
    await expect(page.getByRole("button", { name: `Release the hold on ${bob}` })).toHaveCount(0);
    await page.reload();
    await expect(page.getByRole("button", { name: `Release the hold on ${bob}` })).toHaveCount(0);
    await expect(page.getByRole("heading", { name: "Released holds" })).toBeVisible();
  });
});

test("non-admins get 404 on the retention and holds pages, signed-out 401", async () => {
  for (const [role, status] of [
    ["alice", 404],
    ["carol", 404],
    ["signed-out", 401],
  ] as const) {
    const api = await apiAs(role);
    for (const url of ["/admin/retention", "/admin/holds"]) {
      expect((await api.get(url)).status(), `${role} ${url}`).toBe(status);
    }
    await api.dispose();
  }
});
