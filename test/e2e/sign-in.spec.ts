import { expect, test } from "@playwright/test";
import { readFixture } from "./support/fixture";
import { expectAccessible, mailboxUrl } from "./support/roles";

test.describe("signing in and out", () => {
  test("a deep link asks a signed-out reader to sign in, and leads back to it afterwards", async ({
    page,
  }, testInfo) => {
    const fx = readFixture();
    const target = mailboxUrl(fx.mailboxes.alice, { sort: "subject" });
    const response = await page.goto(target);
    expect(response?.status()).toBe(401);
    await expect(page.getByRole("heading", { level: 1, name: "Sign in to continue" })).toBeVisible();
    await expectAccessible(page, "401 page");
    await page.screenshot({ path: testInfo.outputPath("sign-in-to-continue.png"), fullPage: true });

    await page.getByRole("button", { name: "Sign in with Microsoft" }).click();
    await page.waitForURL((url) => url.pathname.endsWith("/oauth2/v2.0/authorize"));
    await expect(page.locator("#i0116")).toBeVisible();
    await page.screenshot({ path: testInfo.outputPath("simulator-sign-in.png"), fullPage: true });
    await page.locator("#i0116").fill(fx.users.alice.upn);
    await page.locator("#i0118").fill(fx.password);
    await page.locator("#idSIButton9").click();
    await page.waitForURL(`${fx.portalUrl}${target}`);
    await expect(page.getByRole("heading", { level: 1, name: "Alice Archer" })).toBeVisible();
    await expect(page.getByRole("columnheader", { name: /Subject/ })).toHaveAttribute(
      "aria-sort",
      "ascending",
    );
  });

  test("a wrong password is refused by the sign-in page and nothing is signed in", async ({ page }) => {
    const fx = readFixture();
    await page.goto("/signin");
    await expectAccessible(page, "sign-in page");
    await page.getByRole("button", { name: "Sign in with Microsoft" }).click();
    await page.waitForURL((url) => url.pathname.endsWith("/oauth2/v2.0/authorize"));
    await page.locator("#i0116").fill(fx.users.alice.upn);
    await page.locator("#i0118").fill("not-the-password");
    await page.locator("#idSIButton9").click();
    await expect(page.locator("#i0118")).toBeVisible();
    expect((await page.request.get(`${fx.portalUrl}/archive`, { maxRedirects: 0 })).status()).toBe(401);
  });

  test("signing out ends the portal session and the Entra session", async ({ page }, testInfo) => {
    const fx = readFixture();
    await page.goto("/signin");
    await page.getByRole("button", { name: "Sign in with Microsoft" }).click();
    await page.locator("#i0116").fill(fx.users.bob.upn);
    await page.locator("#i0118").fill(fx.password);
    await page.locator("#idSIButton9").click();
    await expect(page.getByRole("heading", { level: 1, name: "Archive" })).toBeVisible();
    await expect(page.getByRole("banner")).toContainText("Bob Brown");

    await page.getByRole("button", { name: "Sign out" }).click();
    await page.waitForURL(`${fx.portalUrl}/signed-out`);
    await expect(page.getByRole("heading", { level: 1, name: "You are signed out" })).toBeVisible();
    await page.screenshot({ path: testInfo.outputPath("signed-out.png"), fullPage: true });
    expect((await page.goto("/archive"))?.status()).toBe(401);

    // The simulator's single sign-on session ended too: signing in asks for the password again.
    await page.getByRole("button", { name: "Sign in with Microsoft" }).click();
    await page.waitForURL((url) => url.pathname.endsWith("/oauth2/v2.0/authorize"));
    await expect(page.locator("#i0118")).toBeVisible();
  });
});
