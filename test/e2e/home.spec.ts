import { expect, test } from "@playwright/test";
import { seriousA11yViolations } from "./a11y";

test.describe("portal shell", () => {
  test("the home page says what Coffer is and links to what exists", async ({ page }, testInfo) => {
    const response = await page.goto("/");
    expect(response?.status()).toBe(200);
    await expect(page).toHaveTitle("Coffer");
    await expect(page.getByRole("heading", { level: 1 })).toHaveText("Coffer");
    for (const name of ["What Coffer does for you", "How it works", "On this server"]) {
      await expect(page.getByRole("heading", { level: 2, name })).toBeVisible();
    }
    for (const name of ["For everyone with a mailbox", "For delegates", "For administrators"]) {
      await expect(page.getByRole("heading", { level: 3, name })).toBeVisible();
    }
    await expect(page.getByRole("link", { name: "Open the task pane" })).toHaveAttribute(
      "href",
      "/addin/taskpane.html",
    );
    await expect(page.getByRole("link", { name: "Health check (JSON)" })).toHaveAttribute(
      "href",
      "/api/health",
    );
    await expect(page.getByRole("navigation", { name: "Main" })).toBeVisible();
    await expect(page.getByRole("contentinfo")).toBeVisible();
    await page.screenshot({ path: testInfo.outputPath("home.png"), fullPage: true });
  });

  test("the home page works from the keyboard alone, with a visible focus everywhere", async ({ page }) => {
    await page.goto("/");
    // The skip link comes first and takes focus past the header.
    await page.keyboard.press("Tab");
    const skip = page.getByRole("link", { name: "Skip to content" });
    await expect(skip).toBeFocused();
    await expect(skip).toBeVisible();
    await page.keyboard.press("Enter");
    await expect(page.locator("#main-content")).toBeFocused();

    // Walk the whole tab order once from the top: every control is reached and shows a focus outline.
    await page.goto("/");
    const reached: string[] = [];
    for (let i = 0; i < 25; i++) {
      await page.keyboard.press("Tab");
      const focus = await page.evaluate(() => {
        const el = document.activeElement as HTMLElement | null;
        if (!el || el === document.body) return null;
        const style = getComputedStyle(el);
        return {
          name: (el.getAttribute("aria-label") ?? el.textContent ?? "").trim(),
          outline: style.outlineStyle !== "none" && Number.parseFloat(style.outlineWidth) > 0,
        };
      });
      if (!focus) break; // tabbed past the last control
      expect(focus.outline, `focus outline on "${focus.name}"`).toBe(true);
      if (reached.includes(focus.name)) break;
      reached.push(focus.name);
    }
    expect(reached).toEqual(
      expect.arrayContaining([
        "Skip to content",
        "Coffer",
        "Overview",
        "System status",
        "View system status",
        "Health check (JSON)",
        "Open the task pane",
        "Download manifest.xml",
        "Health (JSON)",
      ]),
    );

    // And a link is followed with Enter.
    await page.getByRole("link", { name: "View system status" }).focus();
    await page.keyboard.press("Enter");
    await expect(page).toHaveURL(/\/status$/);
    await expect(page.getByRole("heading", { level: 1 })).toHaveText("System status");
  });

  test("pages have no serious or critical accessibility violations", async ({ page }) => {
    for (const url of ["/", "/status", "/no-such-page"]) {
      await page.goto(url);
      await expect(page.getByRole("heading", { level: 1 })).toBeVisible();
      expect(await seriousA11yViolations(page), url).toEqual([]);
    }
  });

  test("the layout holds on a phone-sized screen", async ({ page }, testInfo) => {
    await page.setViewportSize({ width: 375, height: 740 });
    await page.goto("/");
    await expect(page.getByRole("heading", { level: 1 })).toBeVisible();
    // nothing wider than the screen: no sideways scrolling
    const overflow = await page.evaluate(() => document.documentElement.scrollWidth - window.innerWidth);
    expect(overflow).toBeLessThanOrEqual(0);
    expect(await seriousA11yViolations(page)).toEqual([]);
    await page.screenshot({ path: testInfo.outputPath("home-phone.png"), fullPage: true });
  });

  test("an unknown address gets a real 404 page", async ({ page }, testInfo) => {
    const response = await page.goto("/no-such-page");
    expect(response?.status()).toBe(404);
    await expect(page.getByRole("heading", { level: 1 })).toHaveText("Page not found");
    await expect(page.getByRole("link", { name: "Go to the overview" })).toHaveAttribute("href", "/");
    await page.screenshot({ path: testInfo.outputPath("not-found.png"), fullPage: true });
  });
});

test.describe("health", () => {
  test("GET /api/health answers JSON saying the database is reachable and current", async ({ request }) => {
    const response = await request.get("/api/health");
    expect(response.headers()["content-type"]).toContain("application/json");
    expect(response.headers()["cache-control"]).toContain("no-store");
    const body = await response.json();
    expect(body).toMatchObject({ status: "ok", checks: { database: { status: "ok", schema: "current" } } });
    expect(new Date(body.checkedAt).toISOString()).toBe(body.checkedAt);
    expect(response.status()).toBe(200);
  });

  test("the status page shows the same report to people", async ({ page }, testInfo) => {
    await page.goto("/status");
    await expect(page.getByRole("heading", { level: 1 })).toHaveText("System status");
    await expect(page.getByText("Reachable; the schema is up to date.")).toBeVisible();
    await expect(page.getByRole("link", { name: "System status" })).toHaveAttribute("aria-current", "page");
    await page.screenshot({ path: testInfo.outputPath("status.png"), fullPage: true });
  });
});
