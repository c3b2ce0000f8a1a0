import "server-only";
import { existsSync } from "node:fs";
import { blobStoreConfig, type TBlobStoreConfig } from "@coffer/db/blobs/config";
import { loadSettingsEnv } from "@coffer/db/settings";
import { z } from "zod";

/**
 * The portal's settings, validated once per process (docs/CONVENTIONS.md). They come from the real
 * environment, or from `.coffer/env` written by `npm run stack` / `npm run demo`, so `next start` on a
 * developer machine needs no extra setup.
 *
 * Validation is lazy and per section: pages that need no settings (the home page) still render, the health
 * check reports a missing DATABASE_URL instead of the process failing to boot, and a portal without sign-in
 * settings says so on its sign-in page.
 */

/** `KEY=` (an empty value) means "not set", as it does in a shell. */
const unsetIfEmpty = (v: unknown) => (typeof v === "string" && v.trim() === "" ? undefined : v);

function required(key: string, hint: string) {
  return z.preprocess(
    unsetIfEmpty,
    z
      .string({ error: `${key} is not set: ${hint}` })
      .trim()
      .min(1),
  );
}

/** A comma-separated list; blanks dropped. `def` applies only when the key is absent (not when empty). */
function list(def: string) {
  return z
    .string()
    .optional()
    .transform((v) =>
      (v ?? def)
        .split(",")
        .map((s) => s.trim())
        .filter(Boolean),
    );
}

const ZDatabaseEnv = z.object({
  DATABASE_URL: z
    .string({ error: "DATABASE_URL is not set: run `npm run stack` or set it to your PostgreSQL URL" })
    .regex(/^postgres(ql)?:\/\//, "DATABASE_URL must be a postgres:// URL"),
});
export type TPortalEnv = z.infer<typeof ZDatabaseEnv>;

const signInHint =
  "set the portal's Entra app registration (M365_AUTHORITY, M365_PORTAL_CLIENT_ID, M365_PORTAL_CLIENT_SECRET), or run `npm run demo`, whose simulator writes them";

const ZAuthEnv = z.object({
  /** Encrypts the session cookie. 32+ random characters; `openssl rand -base64 33`. */
  AUTH_SECRET: z.preprocess(
    unsetIfEmpty,
    z
      .string({
        error: "AUTH_SECRET is not set: set it to 32+ random characters (`openssl rand -base64 33`)",
      })
      .min(32, "AUTH_SECRET must be at least 32 characters long"),
  ),
  /** https://login.microsoftonline.com/<tenant id>; the OIDC issuer is `${authority}/v2.0`. */
  M365_AUTHORITY: required("M365_AUTHORITY", signInHint)
    .pipe(z.url({ protocol: /^https$/, error: "M365_AUTHORITY must be an https:// URL" }))
    .transform((u) => u.replace(/\/+$/, "")),
  M365_PORTAL_CLIENT_ID: required("M365_PORTAL_CLIENT_ID", signInHint),
  M365_PORTAL_CLIENT_SECRET: required("M365_PORTAL_CLIENT_SECRET", signInHint),
  /** Extra CA (PEM) to trust for the sign-in server's TLS: the simulator's; unset for Microsoft's. */
  M365_CA_FILE: z
    .preprocess(unsetIfEmpty, z.string().optional())
    .refine((f) => f === undefined || existsSync(f), {
      error: (issue) => `M365_CA_FILE points to ${String(issue.input)}, which does not exist`,
    }),
});
export type TAuthEnv = z.infer<typeof ZAuthEnv>;

/**
 * Who is an administrator, and which admin grants exist, from the Entra ID token: app roles (`roles` claim,
 * role values) or security groups (`groups` claim, object ids). Grants only apply to administrators.
 */
const ZAccessEnv = z.object({
  COFFER_ADMIN_ROLES: list("Coffer.Admin"),
  COFFER_ADMIN_GROUP_IDS: list(""),
  /** Read bodies, headers, attachments and EML of mailboxes an admin opens (seed 000: "content view"). */
  COFFER_CONTENT_VIEW_ROLES: list("Coffer.ContentView"),
  COFFER_CONTENT_VIEW_GROUP_IDS: list(""),
  /** Recover (restore, export) mailboxes (seed 000: "Protected Content permission"). */
  COFFER_PROTECTED_CONTENT_ROLES: list("Coffer.ProtectedContent"),
  COFFER_PROTECTED_CONTENT_GROUP_IDS: list(""),
});
export type TAccessEnv = z.infer<typeof ZAccessEnv>;

let database: TPortalEnv | undefined;
let auth: TAuthEnv | undefined;
let access: TAccessEnv | undefined;
let blobs: TBlobStoreConfig | undefined;

/** The database settings; throws a ZodError naming what is missing or malformed. */
export function portalEnv(): TPortalEnv {
  database ??= ZDatabaseEnv.parse(loadSettingsEnv());
  return database;
}

/** Sign-in settings; throws a ZodError whose messages say what to set. */
export function authEnv(): TAuthEnv {
  auth ??= ZAuthEnv.parse(loadSettingsEnv());
  return auth;
}

/** Sign-in settings, or the sentences saying why sign-in is not configured. */
export function authEnvStatus(): { ok: true; env: TAuthEnv } | { ok: false; problems: string[] } {
  try {
    return { ok: true, env: authEnv() };
  } catch (error) {
    if (error instanceof z.ZodError) return { ok: false, problems: error.issues.map((i) => i.message) };
    throw error;
  }
}

export function accessEnv(): TAccessEnv {
  access ??= ZAccessEnv.parse(loadSettingsEnv());
  return access;
}

/** The archive's blob store settings (key, folder); throws MissingEncryptionKeyError without a key. */
export function blobEnv(): TBlobStoreConfig {
  blobs ??= blobStoreConfig(loadSettingsEnv());
  return blobs;
}
