import { expect, type Page } from "@playwright/test";

/**
 * Signs in the way a person does: "Sign in with Microsoft" on the portal, then the simulator's Entra
 * sign-in form (the same element ids as login.microsoftonline.com), then back on the portal.
 */
export async function signInThroughSimulator(
  page: Page,
  upn: string,
  password: string,
  start = "/signin",
): Promise<void> {
  await page.goto(start);
  await page.getByRole("button", { name: "Sign in with Microsoft" }).click();
  await page.waitForURL(
    (url) => url.protocol === "https:" && url.pathname.endsWith("/oauth2/v2.0/authorize"),
  );
  await page.locator("#i0116").fill(upn);
  await page.locator("#i0118").fill(password);
  await page.locator("#idSIButton9").click();
  await page.waitForURL((url) => url.protocol === "http:" && !url.pathname.startsWith("/api/auth"));
  await expect(page.getByRole("button", { name: "Sign out" })).toBeVisible();
}
