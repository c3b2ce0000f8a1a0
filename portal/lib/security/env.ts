import { loadSettingsEnv } from "@coffer/db/settings";

/**
 * What proxy.ts needs from the settings. Separate from lib/env.ts because that module is `server-only`
 * (React Server Components), and the proxy is not a server component.
 */
let cached: { signInOrigin: string | null; isDev: boolean } | undefined;

export function proxySettings(): { signInOrigin: string | null; isDev: boolean } {
  if (!cached) {
    const env = loadSettingsEnv();
    let signInOrigin: string | null = null;
    try {
      signInOrigin = env.M365_AUTHORITY ? new URL(env.M365_AUTHORITY).origin : null;
    } catch {
      // a malformed authority is reported by the sign-in page; the policy just omits it
    }
    cached = { signInOrigin, isDev: process.env.NODE_ENV === "development" };
  }
  return cached;
}
