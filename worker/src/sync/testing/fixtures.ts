import { existsSync } from "node:fs";
import path from "node:path";

const REPO = path.resolve(import.meta.dirname, "../../../..");

/**
 * The shared MIME corpus (299 real-world and malformed messages): next to the repository
 * (`../shared/fixtures/mime`, this workspace's layout) or inside it (`shared/fixtures/mime`).
 */
export function mimeFixturesDir(): string {
  for (const dir of [path.join(REPO, "../shared/fixtures/mime"), path.join(REPO, "shared/fixtures/mime")]) {
    if (existsSync(path.join(dir, "index.tsv"))) return `${dir}/`;
  }
  throw new Error("the MIME fixtures (shared/fixtures/mime) are not found next to or inside the repository");
}
