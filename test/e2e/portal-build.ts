import path from "node:path";

/**
 * Where the e2e suite keeps its portal build. `next build`/`next start` use portal/.next by default; the
 * tests build into their own folder (portal/next.config.ts reads COFFER_PORTAL_DIST_DIR) so that a demo or
 * dev server running from the same checkout and a test run never replace each other's build mid-run.
 */
export const E2E_DIST_DIR = ".next-e2e";

export const REPO_ROOT = path.resolve(import.meta.dirname, "../..");
export const PORTAL_DIR = path.join(REPO_ROOT, "portal");
export const E2E_BUILD_ID = path.join(PORTAL_DIR, E2E_DIST_DIR, "BUILD_ID");

/** Environment for `next build`/`next start` of the e2e build. */
export function e2eNextEnv(extra: Record<string, string> = {}): NodeJS.ProcessEnv {
  return { ...process.env, COFFER_PORTAL_DIST_DIR: E2E_DIST_DIR, NEXT_TELEMETRY_DISABLED: "1", ...extra };
}
