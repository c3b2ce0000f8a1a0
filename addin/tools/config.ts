import path from "node:path";
import { z } from "zod";

/** The repository root (addin/tools/ is two levels down). */
export const REPO_ROOT = path.resolve(import.meta.dirname, "../..");

const ZAddinBuildConfig = z.object({
  /**
   * Origin the portal is reachable at for Outlook (https, no path): the manifest written next to the
   * built task pane points there. Outlook refuses http add-ins, hence the default https://localhost:3000.
   */
  COFFER_PUBLIC_URL: z
    .url({
      protocol: /^https$/,
      error: "COFFER_PUBLIC_URL must be an https:// origin, e.g. https://coffer.example.com",
    })
    .default("https://localhost:3000"),
  /** Where the static task pane goes; the portal serves it under /addin/. */
  COFFER_ADDIN_OUT_DIR: z.string().default(path.join(REPO_ROOT, "portal/public/addin")),
});
export type TAddinBuildConfig = z.infer<typeof ZAddinBuildConfig>;

/** The add-in build's settings from the environment, validated once; throws a readable Error. */
export function addinBuildConfig(env: Record<string, string | undefined> = process.env): TAddinBuildConfig {
  const parsed = ZAddinBuildConfig.safeParse(env);
  if (!parsed.success) throw new Error(`add-in build settings:\n${z.prettifyError(parsed.error)}`);
  return parsed.data;
}
