import path from "node:path";
import { defineConfig } from "@playwright/test";

/**
 * End-to-end tests in Debian's Chromium against the built portal (`npx playwright test -c
 * test/playwright.config.ts`). Playwright's own browser download needs the internet, so we point it at
 * /usr/bin/chromium with the launch flags from shared/reference/toolchain.md §3.
 *
 * The portal is started by `webServer`: test/e2e/serve-portal.ts builds it into portal/.next-e2e when
 * its sources are newer than that build (always on CI), creates a fresh migrated database on the
 * PostgreSQL server named by DATABASE_URL (`.coffer/env` from `npm run stack`, or the environment),
 * starts its own Microsoft 365 simulator with the small e2e tenant, archives it with the real sync, and
 * runs `next start` on 127.0.0.1:COFFER_E2E_PORT (default 3100) against all that; everything is removed
 * when Playwright stops the server. Outside CI an already running server on that port is reused.
 *
 * The `setup` project signs in once per role through the simulator's sign-in page and saves each
 * browser state (test-results/e2e-auth/); the specs start from those states.
 */
const REPO_ROOT = path.resolve(import.meta.dirname, "..");
const PORT = Number(process.env.COFFER_E2E_PORT ?? 3100);
const BASE_URL = `http://127.0.0.1:${PORT}`;
const IS_CI = Boolean(process.env.CI);

export default defineConfig({
  testDir: "./e2e",
  // Screenshots, traces and per-test attachments land here (git-ignored), kept after the run.
  outputDir: path.join(REPO_ROOT, "test-results/e2e"),
  fullyParallel: false,
  workers: 1,
  forbidOnly: IS_CI,
  retries: 0,
  // generous: axe-core runs take seconds each on a busy 2-core machine
  timeout: 60_000,
  reporter: [["list"]],
  use: {
    baseURL: BASE_URL,
    browserName: "chromium",
    headless: true,
    screenshot: "on",
    // The simulator's sign-in page is HTTPS with a certificate from its own local CA, which Chromium
    // does not know. (The portal's server trusts that CA explicitly; the browser only shows the page.)
    ignoreHTTPSErrors: true,
    trace: "retain-on-failure",
    launchOptions: {
      executablePath: process.env.COFFER_CHROMIUM ?? "/usr/bin/chromium",
      args: [
        "--headless",
        "--no-sandbox",
        "--disable-gpu",
        "--disable-quic",
        "--no-first-run",
        "--disable-background-networking",
        "--disable-component-update",
        "--disable-sync",
      ],
    },
  },
  projects: [
    { name: "setup", testMatch: /auth\.setup\.ts$/ },
    { name: "chromium", dependencies: ["setup"], testIgnore: /auth\.setup\.ts$/ },
  ],
  webServer: {
    command: `npx tsx test/e2e/serve-portal.ts ${PORT}`,
    cwd: REPO_ROOT,
    // serve-portal writes the fixture file before the portal starts, so once / answers both are ready.
    url: `${BASE_URL}/`,
    reuseExistingServer: !IS_CI,
    // a cold `next build` (about 2 minutes on a busy 2-core machine) plus seeding and two syncs (seconds)
    timeout: 420_000,
    stdout: "pipe",
    stderr: "pipe",
    gracefulShutdown: { signal: "SIGTERM", timeout: 5_000 },
  },
});
