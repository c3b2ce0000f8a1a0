import { existsSync } from "node:fs";
import { blobStoreConfig } from "@coffer/db/blobs/config";
import { loadSettingsEnv } from "@coffer/db/settings";
import { z } from "zod";

/**
 * The worker process's settings (the worker, the scheduler and the `coffer` CLI share them).
 *
 * Settings come from `.coffer/env` (written by `npm run stack` and the simulator) with the real environment
 * on top (`loadSettingsEnv`), which is how production configures Coffer. They are grouped in sections so a
 * command that only reads the archive does not demand Microsoft 365 credentials, and so `coffer doctor` can
 * report every section on its own.
 *
 * To add a setting: add a key to the section it belongs to (use `setting()` / `urlSetting()` so a missing
 * or malformed value produces a sentence that says what to do). To add a section: add a schema to
 * `settingsSections`; `workerConfig()` and `coffer doctor`'s settings check pick it up.
 */

type Env = Record<string, string | undefined>;

/** `KEY=` (an empty value) means "not set", as it does in a shell. */
const unsetIfEmpty = (v: unknown) => (typeof v === "string" && v.trim() === "" ? undefined : v);

/** A required (or defaulted) plain string setting with a plain-word message when it is missing. */
export function setting(key: string, hint: string) {
  return z.preprocess(unsetIfEmpty, z.string({ error: `${key} is not set: ${hint}` }).trim());
}

/**
 * A URL setting restricted to some schemes. The message names the key and what to do, never a zod code.
 * Passwords are never echoed back.
 */
export function urlSetting(key: string, schemes: readonly string[], hint: string) {
  const wanted = schemes.map((s) => `${s}://`).join(" or ");
  return z.preprocess(
    unsetIfEmpty,
    z.url({
      protocol: new RegExp(`^(${schemes.join("|")})$`),
      error: (issue) =>
        issue.input === undefined
          ? `${key} is not set: ${hint}`
          : `${key} must be a ${wanted} URL, but it is "${redactUrl(String(issue.input))}"`,
    }),
  );
}

/** A URL with its password replaced by `***`, safe for messages and logs. */
export function redactUrl(url: string): string {
  try {
    const u = new URL(url);
    if (!u.password) return url;
    u.password = "***";
    return u.toString();
  } catch {
    return url;
  }
}

export const ZDatabaseSettings = z.object({
  DATABASE_URL: urlSetting(
    "DATABASE_URL",
    ["postgres", "postgresql"],
    "run `npm run stack`, or set it to your PostgreSQL URL (postgres://user:password@host:5432/coffer)",
  ),
});

export const ZRedisSettings = z.object({
  REDIS_URL: urlSetting(
    "REDIS_URL",
    ["redis", "rediss"],
    "run `npm run stack`, or set it to your Redis URL (redis://host:6379)",
  ),
});

const m365Hint =
  "set the M365_* settings of your Entra app registration (or run `npm run stack`, whose simulator writes them)";

export const ZM365Settings = z.object({
  /** The tenant's authority, e.g. https://login.microsoftonline.com/<tenant id> (OIDC discovery lives under it). */
  M365_AUTHORITY: urlSetting("M365_AUTHORITY", ["https"], m365Hint).transform((u) => u.replace(/\/+$/, "")),
  /** Graph's base URL without the version segment. */
  M365_GRAPH_URL: urlSetting("M365_GRAPH_URL", ["https"], m365Hint)
    .optional()
    .transform((u) => (u ?? "https://graph.microsoft.com").replace(/\/+$/, "")),
  M365_TENANT_ID: setting("M365_TENANT_ID", m365Hint),
  M365_CLIENT_ID: setting("M365_CLIENT_ID", m365Hint),
  M365_CLIENT_SECRET: setting("M365_CLIENT_SECRET", m365Hint),
  /** A PEM file of extra CAs to trust for Entra and Graph (the simulator's CA); unset in production. */
  M365_CA_FILE: z
    .preprocess(unsetIfEmpty, z.string().optional())
    .refine((file) => file === undefined || existsSync(file), {
      error: (issue) => `M365_CA_FILE points to ${String(issue.input)}, which does not exist`,
    }),
  /** Exchange admin API base (mailbox permissions); Graph has no endpoint for Full Access delegation. */
  M365_EXCHANGE_URL: urlSetting("M365_EXCHANGE_URL", ["https"], m365Hint)
    .optional()
    .transform((u) => (u ?? "https://outlook.office365.com").replace(/\/+$/, "")),
});

/**
 * Where archived content lives and the key that encrypts it. The rules (base64 of 32 bytes, inline or in a
 * file) belong to the blob store (`@coffer/db/blobs/config`); this section only reports its verdict in the
 * same plain words as every other setting.
 */
export const ZStorageSettings = z
  .object({
    COFFER_BLOB_DIR: z.preprocess(unsetIfEmpty, z.string().optional()),
    COFFER_ENCRYPTION_KEY: z.preprocess(unsetIfEmpty, z.string().optional()),
    COFFER_ENCRYPTION_KEY_FILE: z.preprocess(unsetIfEmpty, z.string().optional()),
  })
  .transform((v, ctx) => {
    try {
      const config = blobStoreConfig(v);
      const keySource = v.COFFER_ENCRYPTION_KEY
        ? "COFFER_ENCRYPTION_KEY"
        : `COFFER_ENCRYPTION_KEY_FILE (${v.COFFER_ENCRYPTION_KEY_FILE})`;
      return { ...config, keySource };
    } catch (e) {
      ctx.addIssue({ code: "custom", message: e instanceof Error ? e.message : String(e) });
      return z.NEVER;
    }
  });

export const ZSiteSettings = z.object({
  /** The Synchronization Engine Site this worker serves (it consumes that site's queues). */
  COFFER_SITE: z.preprocess(unsetIfEmpty, z.string().trim().min(1).default("default")),
});

/**
 * Graph's Outlook limits as the shared rate limiter applies them per app and mailbox (engine, issue 4).
 * Defaults: Graph's 4 concurrent requests and 10,000 per 10 minutes less a 4% margin. Lower the budget when
 * another application uses the same app registration; benchmarks shrink the window to compress time.
 */
export const ZGraphLimitSettings = z.object({
  COFFER_GRAPH_MAILBOX_BUDGET: z.preprocess(unsetIfEmpty, z.coerce.number().int().min(1).default(9_600)),
  COFFER_GRAPH_WINDOW_SECONDS: z.preprocess(unsetIfEmpty, z.coerce.number().int().min(1).default(600)),
  COFFER_GRAPH_MAILBOX_CONCURRENCY: z.preprocess(
    unsetIfEmpty,
    z.coerce.number().int().min(1).max(64).default(4),
  ),
});

/** Every section of the worker's settings. Add a section here and the rest follows. */
export const settingsSections = {
  database: ZDatabaseSettings,
  redis: ZRedisSettings,
  m365: ZM365Settings,
  storage: ZStorageSettings,
  site: ZSiteSettings,
  graphLimits: ZGraphLimitSettings,
} as const;

export type SectionName = keyof typeof settingsSections;
export type TSection<K extends SectionName> = z.output<(typeof settingsSections)[K]>;
export type TWorkerConfig = { [K in SectionName]: TSection<K> };

/** Settings that cannot be used, with one sentence per problem. */
export class SettingsError extends Error {
  constructor(readonly problems: readonly string[]) {
    super(
      problems.length === 1
        ? `Coffer's settings are not usable: ${problems[0]}`
        : `Coffer's settings are not usable:\n${problems.map((p) => `  - ${p}`).join("\n")}`,
    );
    this.name = "SettingsError";
  }
}

export type SectionCheck<K extends SectionName> =
  | { ok: true; value: TSection<K> }
  | { ok: false; problems: string[] };

/** Validates one section without throwing; for `coffer doctor` and tests. */
export function checkSection<K extends SectionName>(name: K, env: Env = loadSettingsEnv()): SectionCheck<K> {
  const result = settingsSections[name].safeParse(env);
  if (result.success) return { ok: true, value: result.data as TSection<K> };
  return { ok: false, problems: [...new Set(result.error.issues.map((i) => i.message))] };
}

/** Validates one section, throwing a SettingsError that lists every problem. */
export function parseSection<K extends SectionName>(name: K, env: Env = loadSettingsEnv()): TSection<K> {
  const r = checkSection(name, env);
  if (!r.ok) throw new SettingsError(r.problems);
  return r.value;
}

const cache = new Map<SectionName, unknown>();

/** One section of this process's settings, validated on first use and then kept for the process. */
export function settings<K extends SectionName>(name: K): TSection<K> {
  if (!cache.has(name)) cache.set(name, parseSection(name));
  return cache.get(name) as TSection<K>;
}

let whole: TWorkerConfig | undefined;

/**
 * All of the worker's settings, validated once per process. Every problem is reported together, so an
 * operator fixes their environment in one pass rather than one error at a time.
 */
export function workerConfig(env?: Env): TWorkerConfig {
  if (whole && !env) return whole;
  const source = env ?? loadSettingsEnv();
  const problems: string[] = [];
  const out: Partial<Record<SectionName, unknown>> = {};
  for (const name of Object.keys(settingsSections) as SectionName[]) {
    const r = checkSection(name, source);
    if (r.ok) out[name] = r.value;
    else problems.push(...r.problems);
  }
  if (problems.length) throw new SettingsError(problems);
  const config = out as TWorkerConfig;
  if (!env) whole = config;
  return config;
}
