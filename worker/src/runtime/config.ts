import { loadSettingsEnv } from "@coffer/db/settings";
import { z } from "zod";
import { SettingsError } from "../config";

/**
 * The worker runtime's own settings (the site it serves is COFFER_SITE in ../config.ts). All optional,
 * with defaults that suit production; tests shorten the intervals.
 */

type Env = Record<string, string | undefined>;
const unsetIfEmpty = (v: unknown) => (typeof v === "string" && v.trim() === "" ? undefined : v);

function intSetting(key: string, min: number, max: number, fallback: number) {
  return z.preprocess(
    unsetIfEmpty,
    z
      .string()
      .regex(/^\d+$/, { error: (i) => `${key} must be a whole number, but it is "${String(i.input)}"` })
      .transform(Number)
      .refine((n) => n >= min && n <= max, { error: `${key} must be between ${min} and ${max}` })
      .optional()
      .transform((n) => n ?? fallback),
  );
}

export const ZRuntimeSettings = z.object({
  /** Prefix of every Redis key of this deployment; all workers and the portal must agree. */
  COFFER_REDIS_PREFIX: z.preprocess(
    unsetIfEmpty,
    z
      .string()
      .regex(/^[A-Za-z0-9:_-]+$/, {
        error: "COFFER_REDIS_PREFIX may contain letters, digits, : _ and - only",
      })
      .default("coffer"),
  ),
  /** Mailboxes one task run processes at once. */
  COFFER_MAILBOX_PARALLELISM: intSetting("COFFER_MAILBOX_PARALLELISM", 1, 64, 4),
  /** Task runs one worker process executes at once. */
  COFFER_TASK_CONCURRENCY: intSetting("COFFER_TASK_CONCURRENCY", 1, 32, 2),
  /** Site heartbeat and stale-run sweep, seconds. */
  COFFER_HEARTBEAT_SECONDS: intSetting("COFFER_HEARTBEAT_SECONDS", 1, 300, 30),
  /** A run whose heartbeat is older than this (seconds) is closed as failed. */
  COFFER_RUN_STALE_SECONDS: intSetting("COFFER_RUN_STALE_SECONDS", 3, 3600, 120),
  /** How often job schedulers are reconciled with the database, seconds (seed: changes apply within 2 min). */
  COFFER_RECONCILE_SECONDS: intSetting("COFFER_RECONCILE_SECONDS", 1, 120, 60),
});
export type TRuntimeSettings = z.output<typeof ZRuntimeSettings>;

export function runtimeSettings(env: Env = loadSettingsEnv()): TRuntimeSettings {
  const r = ZRuntimeSettings.safeParse(env);
  if (!r.success) throw new SettingsError([...new Set(r.error.issues.map((i) => i.message))]);
  return r.data;
}
