import { defineConfig } from "vitest/config";

/**
 * Two projects:
 * - unit: `*.test.ts` next to the code; no services, no network. Runs files in parallel.
 * - integration: `*.integration.test.ts` against the stack's real PostgreSQL and Redis (and the simulator).
 *   The global setup creates a fresh migrated database for the run and drops it afterwards; files run one
 *   at a time, because they share that database and the machine has two cores.
 * End-to-end tests are Playwright's (`test/e2e/**\/*.spec.ts`, test/playwright.config.ts), not Vitest's.
 */
const ignored = ["**/node_modules/**", "**/.next/**", "**/dist/**", ".coffer/**", "test/e2e/**"];

export default defineConfig({
  test: {
    passWithNoTests: true,
    projects: [
      {
        test: {
          name: "unit",
          include: ["**/*.test.ts", "**/*.test.tsx"],
          exclude: [...ignored, "**/*.integration.test.ts"],
          environment: "node",
        },
      },
      {
        test: {
          name: "integration",
          include: ["**/*.integration.test.ts"],
          exclude: ignored,
          environment: "node",
          globalSetup: ["test/setup/integration-global.ts"],
          setupFiles: ["test/setup/integration-env.ts"],
          fileParallelism: false,
          testTimeout: 60_000,
          hookTimeout: 120_000,
        },
      },
    ],
  },
});
