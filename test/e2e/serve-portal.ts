/**
 * Starts the portal for the end-to-end tests (Playwright's `webServer` runs this):
 *   npx tsx test/e2e/serve-portal.ts [port]
 * 1. Builds (`npm run build -w @coffer/portal`, which also builds the add-in) into portal/.next-e2e
 *    (see portal-build.ts) when there is no build,
 *    when a source file is newer than the last build, on CI, or with COFFER_E2E_REBUILD=1.
 * 2. Creates a fresh, migrated database `coffer_e2e_<random>` on the PostgreSQL server of DATABASE_URL
 *    (`.coffer/env` from `npm run stack`, or the environment), so the tests never depend on, or change,
 *    the developer's `coffer` database.
 * 3. Runs `next start -H 127.0.0.1 -p <port>` in portal/ with DATABASE_URL pointing at that database,
 *    until SIGTERM/SIGINT; then drops the database.
 */
import { spawn, spawnSync } from "node:child_process";
import { existsSync, readdirSync, statSync } from "node:fs";
import path from "node:path";
import { createTestDatabase } from "@coffer/db/testing/test-database";
import { E2E_BUILD_ID, E2E_DIST_DIR, e2eNextEnv, PORTAL_DIR, REPO_ROOT } from "./portal-build";

const port = Number(process.argv[2] ?? 3100);

// Everything the built portal is made from. Extra rebuilds are cheap compared with testing a stale build.
const SOURCES = [
  "portal",
  "addin",
  "db/src",
  "worker/src",
  "manifest.xml",
  "package-lock.json",
  "tsconfig.base.json",
];
// next-env.d.ts is rewritten by every build; public/addin/ and the .next folders are build output.
const SKIP = new Set(["node_modules", ".next", E2E_DIST_DIR, "public", "test-results", "next-env.d.ts"]);

function newestMtime(entry: string): number {
  if (!existsSync(entry)) return 0;
  const stat = statSync(entry);
  if (!stat.isDirectory()) return stat.mtimeMs;
  let newest = 0;
  for (const name of readdirSync(entry)) {
    if (SKIP.has(name)) continue;
    newest = Math.max(newest, newestMtime(path.join(entry, name)));
  }
  return newest;
}

function needsBuild(): string | null {
  if (process.env.CI) return "CI always builds";
  if (process.env.COFFER_E2E_REBUILD === "1") return "COFFER_E2E_REBUILD=1";
  if (!existsSync(E2E_BUILD_ID)) return "no build yet";
  const built = statSync(E2E_BUILD_ID).mtimeMs;
  const changed = SOURCES.find((source) => newestMtime(path.join(REPO_ROOT, source)) > built);
  return changed ? `${changed} changed since the last build` : null;
}

const reason = needsBuild();
if (reason) {
  console.log(`serve-portal: building the portal (${reason})`);
  const started = Date.now();
  const build = spawnSync("npm", ["run", "build", "-w", "@coffer/portal"], {
    cwd: REPO_ROOT,
    stdio: "inherit",
    env: e2eNextEnv(),
  });
  if (build.status !== 0) {
    console.error("serve-portal: the portal build failed");
    process.exit(build.status ?? 1);
  }
  console.log(`serve-portal: built in ${((Date.now() - started) / 1000).toFixed(1)} s`);
} else {
  console.log("serve-portal: reusing the existing build (sources unchanged)");
}

const database = await createTestDatabase("coffer_e2e");
console.log(`serve-portal: database ${database.name} (migrated)`);

const next = spawn(
  path.join(REPO_ROOT, "node_modules/.bin/next"),
  ["start", "-H", "127.0.0.1", "-p", String(port)],
  {
    cwd: PORTAL_DIR,
    stdio: "inherit",
    env: e2eNextEnv({ DATABASE_URL: database.url }),
  },
);
for (const signal of ["SIGINT", "SIGTERM"] as const) {
  process.on(signal, () => next.kill(signal));
}
next.on("exit", async (code, signal) => {
  try {
    await database.drop();
  } catch (error) {
    console.error(`serve-portal: could not drop ${database.name}:`, error);
  }
  process.exit(code ?? (signal === "SIGTERM" || signal === "SIGINT" ? 0 : 1));
});
