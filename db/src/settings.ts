import { existsSync, mkdirSync, readFileSync, renameSync, writeFileSync } from "node:fs";
import path from "node:path";

/**
 * Coffer keeps local settings (service URLs, generated keys, the simulator's CA) in a git-ignored
 * `.coffer/` folder at the repository root. Every process and the CLI read `.coffer/env` by default;
 * real environment variables always win, which is how production installs configure Coffer.
 *
 * This is the only place that reads `process.env` besides the per-process config modules, which
 * validate what this returns with zod.
 */

/** Finds the settings folder: COFFER_HOME, else `.coffer/` next to the nearest workspace root. */
export function settingsDir(): string {
  const fromEnv = process.env.COFFER_HOME;
  if (fromEnv) return path.resolve(fromEnv);
  return path.join(findRepoRoot(), ".coffer");
}

// The turbopackIgnore markers keep Next's file tracing (the portal imports this module) from treating
// this run-time walk as a reason to bundle the whole repository.
export function findRepoRoot(start: string = process.cwd()): string {
  let dir = path.resolve(/*turbopackIgnore: true*/ start);
  for (;;) {
    const pkg = path.join(dir, "package.json");
    if (existsSync(pkg)) {
      try {
        const json = JSON.parse(readFileSync(pkg, "utf8")) as { workspaces?: unknown };
        if (Array.isArray(json.workspaces)) return dir;
      } catch {
        // an unreadable package.json is not a workspace root; keep walking up
      }
    }
    const parent = path.dirname(dir);
    if (parent === dir) return path.resolve(/*turbopackIgnore: true*/ start);
    dir = parent;
  }
}

/** Parses `KEY=value` lines; blank lines and `#` comments are ignored, values are taken verbatim. */
export function parseEnvFile(text: string): Record<string, string> {
  const out: Record<string, string> = {};
  for (const raw of text.split(/\r?\n/)) {
    const line = raw.trim();
    if (!line || line.startsWith("#")) continue;
    const eq = line.indexOf("=");
    if (eq <= 0) continue;
    out[line.slice(0, eq).trim()] = line.slice(eq + 1).trim();
  }
  return out;
}

/** The merged settings: `.coffer/env` first, then the real environment on top. */
export function loadSettingsEnv(): Record<string, string | undefined> {
  const file = path.join(settingsDir(), "env");
  const fromFile = existsSync(file) ? parseEnvFile(readFileSync(file, "utf8")) : {};
  return { ...fromFile, ...process.env };
}

/**
 * Merges `values` into `.coffer/env` (atomically: write a temp file, then rename), keeping other keys.
 * Used by `npm run stack` and the simulator to publish the URLs of what they started.
 */
export function updateSettingsEnv(values: Record<string, string>): void {
  const dir = settingsDir();
  mkdirSync(dir, { recursive: true });
  const file = path.join(dir, "env");
  const current = existsSync(file) ? parseEnvFile(readFileSync(file, "utf8")) : {};
  const merged = { ...current, ...values };
  const text = `${Object.entries(merged)
    .map(([k, v]) => `${k}=${v}`)
    .join("\n")}\n`;
  const tmp = `${file}.${process.pid}.tmp`;
  writeFileSync(tmp, text, { mode: 0o600 });
  renameSync(tmp, file);
}
