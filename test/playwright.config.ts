import path from "node:path";
import { defineConfig } from "@playwright/test";

/**
 * End-to-end tests in Debian's Chromium against the built portal (`npx playwright test -c
 * test/playwright.config.ts`). Playwright's own browser download needs the internet, so we point it at
 * /usr/bin/chromium with the launch flags from shared/reference/toolchain.md §3.
 *
 * The portal is started by `webServer`: test/e2e/serve-portal.ts builds it into portal/.next-e2e when
 * its sources are newer than that build (always on CI), creates a fresh migrated database on the
 * PostgreSQL server named by DATABASE_URL (`.coffer/env` from `npm run stack`, or the environment) and
 * runs `next start` on 127.0.0.1:COFFER_E2E_PORT (default 3100) against it; the database is dropped
 * when Playwright stops the server. Outside CI an already running server on that port is reused.
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
  timeout: 30_000,
  reporter: [["list"]],
  use: {
    baseURL: BASE_URL,
    browserName: "chromium",
    headless: true,
    screenshot: "on",
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
  projects: [{ name: "chromium" }],
  webServer: {
    command: `npx tsx test/e2e/serve-portal.ts ${PORT}`,
    cwd: REPO_ROOT,
    // The home page is static, so it answers even when PostgreSQL is down (the health test then says why).
    url: `${BASE_URL}/`,
    reuseExistingServer: !IS_CI,
    // a cold `next build` on a busy 2-core machine takes well under this
    timeout: 240_000,
    stdout: "pipe",
    stderr: "pipe",
    gracefulShutdown: { signal: "SIGTERM", timeout: 5_000 },
  },
});
