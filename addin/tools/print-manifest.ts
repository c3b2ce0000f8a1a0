/**
 * `npm run manifest -w @coffer/addin -- https://coffer.example.com > manifest.xml` prints the add-in
 * manifest for an operator's host: the repository's manifest.xml with its placeholder origin replaced.
 */
import { readFileSync } from "node:fs";
import path from "node:path";
import { REPO_ROOT } from "./config";
import { rewriteManifestOrigin } from "./manifest";

const origin = process.argv[2];
if (!origin) {
  console.error("usage: npm run manifest -w @coffer/addin -- https://coffer.example.com");
  process.exit(2);
}
try {
  process.stdout.write(
    rewriteManifestOrigin(readFileSync(path.join(REPO_ROOT, "manifest.xml"), "utf8"), origin),
  );
} catch (error) {
  console.error(error instanceof Error ? error.message : String(error));
  process.exit(2);
}
