import { readFileSync } from "node:fs";

/**
 * The worker package's version, reported in the site heartbeat. Found by walking up from this module, which
 * sits at a different depth in the sources and in the bundle bin/launch.js makes.
 */
export function workerVersion(): string {
  for (let up = "./"; up.length < 40; up += "../") {
    try {
      const pkg = JSON.parse(readFileSync(new URL(`${up}package.json`, import.meta.url), "utf8")) as {
        name?: string;
        version?: string;
      };
      if (pkg.name === "@coffer/worker") return pkg.version ?? "0.0.0";
    } catch {
      // no package.json at this level: go up
    }
  }
  return "0.0.0";
}
