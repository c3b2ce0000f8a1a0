import { mkdirSync } from "node:fs";
import path from "node:path";
import { expect, test as setup } from "@playwright/test";
import { authStatePath, ROLES, readFixture } from "./support/fixture";
import { signInThroughSimulator } from "./support/sign-in";

/** Signs in once per role, through the portal's sign-in button and the simulator's sign-in page. */
for (const role of ROLES) {
  setup(`sign in as ${role}`, async ({ page }) => {
    const fixture = readFixture();
    await signInThroughSimulator(page, fixture.users[role].upn, fixture.password);
    await expect(page.getByRole("heading", { level: 1, name: "Archive" })).toBeVisible();
    mkdirSync(path.dirname(authStatePath(role)), { recursive: true });
    await page.context().storageState({ path: authStatePath(role) });
  });
}
