import { existsSync, readFileSync } from "node:fs";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";

/**
 * Public MIME fixtures (shared/fixtures/mime): real-world and malformed messages mixed into every
 * demo mailbox byte-exact, so the archive sees what real mail looks like, not only what
 * nodemailer writes.
 */

export interface Fixture {
  path: string;
  bytes: number;
  sha256: string;
  tags: string[];
}

export interface FixtureSet {
  dir: string;
  fixtures: Fixture[];
}

const REPO_ROOT = resolve(dirname(fileURLToPath(import.meta.url)), "../../../..");

/** The shared folder sits beside the repository (../shared) or, in a full checkout, inside it. */
export function defaultFixturesDir(): string | null {
  for (const dir of [join(REPO_ROOT, "../shared/fixtures/mime"), join(REPO_ROOT, "shared/fixtures/mime")]) {
    if (existsSync(join(dir, "index.tsv"))) return dir;
  }
  return null;
}

const cache = new Map<string, FixtureSet>();

/**
 * The fixtures that are one message each. mbox files hold several messages, so they are left out;
 * everything else goes in as it is, malformed ones included — that is the point of them.
 */
export function loadFixtures(dir: string | null): FixtureSet | null {
  if (!dir || !existsSync(join(dir, "index.tsv"))) return null;
  const cached = cache.get(dir);
  if (cached) return cached;
  const [, ...rows] = readFileSync(join(dir, "index.tsv"), "utf8").split("\n");
  const fixtures = rows
    .filter((row) => row.trim())
    .map((row): Fixture => {
      const [path = "", bytes = "0", sha256 = "", tags = ""] = row.split("\t");
      return { path, bytes: Number(bytes), sha256, tags: tags.split(",").filter(Boolean) };
    })
    .filter((f) => !f.tags.includes("mbox"));
  const set = { dir, fixtures };
  cache.set(dir, set);
  return set;
}

export function readFixture(set: FixtureSet, fixture: Fixture): Buffer {
  return readFileSync(join(set.dir, fixture.path));
}
