import "server-only";
import { loadSettingsEnv } from "@coffer/db/settings";
import { z } from "zod";

/**
 * The portal's settings, validated once per process (docs/CONVENTIONS.md). They come from the real
 * environment, or from `.coffer/env` written by `npm run stack`, so `next start` on a developer machine
 * needs no extra setup. Validation is lazy: pages that need no settings (the home page) still render, and
 * the health check can report a missing DATABASE_URL instead of the process failing to boot.
 */
const ZPortalEnv = z.object({
  DATABASE_URL: z
    .string({ error: "DATABASE_URL is not set: run `npm run stack` or set it to your PostgreSQL URL" })
    .regex(/^postgres(ql)?:\/\//, "DATABASE_URL must be a postgres:// URL"),
});
export type TPortalEnv = z.infer<typeof ZPortalEnv>;

let cached: TPortalEnv | undefined;

/** The validated settings; throws a ZodError naming what is missing or malformed. */
export function portalEnv(): TPortalEnv {
  if (!cached) cached = ZPortalEnv.parse(loadSettingsEnv());
  return cached;
}
