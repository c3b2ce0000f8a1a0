import { expect, type Page, test } from "@playwright/test";
import { seriousA11yViolations } from "./a11y";

/**
 * The task pane as the portal serves it. There is no Outlook here (and no internet), so the page's
 * request for Office.js on Microsoft's CDN is answered by the test: refused (the CDN is unreachable) or
 * with a small stand-in for the Office namespace. Everything else is the real built page and bundle.
 */
const OFFICE_JS = "https://appsforoffice.microsoft.com/lib/1/hosted/office.js";

async function serveOfficeJs(page: Page, script: string | null): Promise<void> {
  await page.route(OFFICE_JS, (route) =>
    script === null
      ? route.abort("internetdisconnected")
      : route.fulfill({ contentType: "text/javascript", body: script }),
  );
}

/** A stand-in for Office.js: `onReady` answers with `host`, and the mailbox holds `item`. */
function officeStub(host: string | null, item?: Record<string, string>): string {
  return `window.Office = {
    HostType: { Outlook: "Outlook" },
    AsyncResultStatus: { Succeeded: "succeeded", Failed: "failed" },
    onReady: () => Promise.resolve({ host: ${JSON.stringify(host)}, platform: null }),
    context: {
      requirements: { isSetSupported: () => true },
      mailbox: { item: ${item ? JSON.stringify(item) : "null"} },
    },
  };`;
}

test.describe("Outlook add-in task pane", () => {
  test("opened in a browser without Office.js, it says it is outside Outlook", async ({ page }, testInfo) => {
    await serveOfficeJs(page, null);
    const response = await page.goto("/addin/taskpane.html");
    expect(response?.status()).toBe(200);
    await expect(page.getByRole("heading", { level: 1 })).toHaveText("Coffer archive");
    await expect(page.getByRole("heading", { level: 2 })).toHaveText("Opened outside Outlook");
    await expect(page.getByText("Office.js could not be loaded")).toBeVisible();
    await expect(page.getByRole("link", { name: "Go to the Coffer portal" })).toHaveAttribute("href", "/");
    expect(await seriousA11yViolations(page)).toEqual([]);
    await page.screenshot({ path: testInfo.outputPath("taskpane-outside.png"), fullPage: true });
  });

  test("with Office.js but no Office host (onReady host null), it says so", async ({ page }) => {
    await serveOfficeJs(page, officeStub(null));
    await page.goto("/addin/taskpane.html");
    await expect(page.getByRole("heading", { level: 2 })).toHaveText("Opened outside Outlook");
    await expect(page.getByText("No Office application is hosting this page.")).toBeVisible();
  });

  test("inside Outlook, it shows the message's subject and Internet message ID as text", async ({
    page,
  }, testInfo) => {
    const subject = "Invoice <img src=x onerror=\"document.title='pwned'\">";
    await serveOfficeJs(
      page,
      officeStub("Outlook", { itemId: "AAMkAD==", internetMessageId: "<inv-42@example.com>", subject }),
    );
    await page.goto("/addin/taskpane.html");
    await expect(page.getByRole("heading", { level: 2 })).toHaveText("This message");
    await expect(page.locator('[data-field="subject"]')).toHaveText(subject);
    await expect(page.locator('[data-field="internet-message-id"]')).toHaveText("<inv-42@example.com>");
    await expect(page.getByText("Archive lookup is not connected yet")).toBeVisible();
    // the subject was shown, not parsed: no element was created from it
    await expect(page.locator("#pane-state img")).toHaveCount(0);
    await expect(page).toHaveTitle("Coffer archive");
    expect(await seriousA11yViolations(page)).toEqual([]);
    await page.screenshot({ path: testInfo.outputPath("taskpane-item.png"), fullPage: true });
  });

  test("inside Outlook with no message selected, it asks for one", async ({ page }) => {
    await serveOfficeJs(page, officeStub("Outlook"));
    await page.goto("/addin/taskpane.html");
    await expect(page.getByRole("heading", { level: 2 })).toHaveText("No message open");
  });

  test("the portal serves the manifest, icons and assets the page needs", async ({ request }) => {
    const manifest = await request.get("/addin/manifest.xml");
    expect(manifest.status()).toBe(200);
    expect(await manifest.text()).toContain("<Id>0cc094d0-d583-4b30-87c2-f582524cb55a</Id>");
    for (const size of [16, 32, 64, 80, 128]) {
      const icon = await request.get(`/addin/assets/icon-${size}.png`);
      expect(icon.status(), `icon-${size}`).toBe(200);
      expect(icon.headers()["content-type"]).toBe("image/png");
    }
    // the task pane must stay frameable (Outlook on the web shows it in an iframe); portal pages must not
    const pane = await request.get("/addin/taskpane.html");
    expect(pane.headers()["x-frame-options"]).toBeUndefined();
    expect((await request.get("/")).headers()["x-frame-options"]).toBe("DENY");
  });
});
