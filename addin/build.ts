/**
 * `npm run build -w @coffer/addin`: builds the Outlook task pane into portal/public/addin/ (or
 * COFFER_ADDIN_OUT_DIR), with a manifest.xml pointing at COFFER_PUBLIC_URL. The portal's build runs this.
 */
import path from "node:path";
import { buildAddin } from "./tools/build-addin";
import { addinBuildConfig, REPO_ROOT } from "./tools/config";

try {
  const config = addinBuildConfig();
  const started = performance.now();
  const { files } = await buildAddin({
    outDir: config.COFFER_ADDIN_OUT_DIR,
    publicUrl: config.COFFER_PUBLIC_URL,
  });
  console.log(
    `add-in: ${files.length} files in ${path.relative(REPO_ROOT, config.COFFER_ADDIN_OUT_DIR) || "."} ` +
      `for ${config.COFFER_PUBLIC_URL} (${Math.round(performance.now() - started)} ms)`,
  );
} catch (error) {
  // Settings and manifest mistakes are the operator's to fix: a sentence, not a stack trace.
  console.error(`add-in build failed: ${error instanceof Error ? error.message : String(error)}`);
  process.exit(1);
}
