import { type ChildProcess, spawn } from "node:child_process";
import { existsSync } from "node:fs";
import path from "node:path";
import { expect, test } from "@playwright/test";
import { E2E_BUILD_ID, e2eNextEnv, PORTAL_DIR, REPO_ROOT } from "./portal-build";

/**
 * The failure path of the health check, for real: a second `next start` of the same build whose
 * DATABASE_URL points at a port where nothing listens. It must answer 503 with a sentence, not hang,
 * and must not echo the database URL (the endpoint is public and URLs can hold passwords).
 */
const PORT = Number(process.env.COFFER_E2E_PORT ?? 3100) + 1;
const DEAD_DATABASE_URL = "postgres://coffer:s3cret-password@127.0.0.1:9/coffer";

let server: ChildProcess | undefined;

test.beforeAll(async () => {
  // serve-portal.ts (the webServer, ready before any test) builds the portal; without it this must fail.
  expect(existsSync(E2E_BUILD_ID), "the portal build made by serve-portal.ts").toBe(true);
  server = spawn(
    path.join(REPO_ROOT, "node_modules/.bin/next"),
    ["start", "-H", "127.0.0.1", "-p", String(PORT)],
    {
      cwd: PORTAL_DIR,
      stdio: ["ignore", "pipe", "pipe"],
      env: e2eNextEnv({ DATABASE_URL: DEAD_DATABASE_URL }),
    },
  );
  const output: string[] = [];
  await new Promise<void>((resolve, reject) => {
    server?.stdout?.on("data", (chunk: Buffer) => {
      output.push(chunk.toString());
      if (output.join("").includes("Ready")) resolve();
    });
    server?.stderr?.on("data", (chunk: Buffer) => output.push(chunk.toString()));
    server?.on("exit", (code) => reject(new Error(`next start exited (${code}): ${output.join("")}`)));
  });
});

test.afterAll(async () => {
  if (!server || server.exitCode !== null) return;
  const exited = new Promise((resolve) => server?.once("exit", resolve));
  server.kill("SIGTERM");
  await exited;
});

test("GET /api/health says in words that PostgreSQL is unreachable, with 503", async ({ request }) => {
  const response = await request.get(`http://127.0.0.1:${PORT}/api/health`);
  expect(response.status()).toBe(503);
  const text = await response.text();
  expect(JSON.parse(text)).toMatchObject({
    status: "unavailable",
    checks: {
      database: { status: "unavailable", reason: "PostgreSQL refused the connection: is it running?" },
    },
  });
  expect(text).not.toContain("s3cret-password");
  expect(text).not.toContain("127.0.0.1:9");
});

test("the status page shows the outage to people", async ({ page }, testInfo) => {
  await page.goto(`http://127.0.0.1:${PORT}/status`);
  await expect(page.getByRole("heading", { level: 1 })).toHaveText("System status");
  await expect(page.getByText("PostgreSQL refused the connection: is it running?")).toBeVisible();
  await page.screenshot({ path: testInfo.outputPath("status-unavailable.png"), fullPage: true });
});
