import "server-only";
import NextAuth, { customFetch, type NextAuthConfig } from "next-auth";
import MicrosoftEntraID from "next-auth/providers/microsoft-entra-id";
import { accessEnv, authEnv } from "../env";
import { identityFromClaims, type TIdentity, tenantIdOfAuthority } from "./identity";
import { createOidcFetch } from "./oidc-fetch";

/** Sessions last a working day; signing in again re-reads roles and groups from Entra. */
const SESSION_MAX_AGE_S = 8 * 60 * 60;

let oidcFetch: { caFile: string | undefined; fetch: typeof globalThis.fetch } | undefined;

function fetchFor(caFile: string | undefined): typeof globalThis.fetch {
  if (!oidcFetch || oidcFetch.caFile !== caFile) oidcFetch = { caFile, fetch: createOidcFetch(caFile) };
  return oidcFetch.fetch;
}

/**
 * The built-in Microsoft Entra ID provider with its two network touch points replaced:
 * - `profile()`: the default one fetches the user's photo from graph.microsoft.com; ours reads the claims;
 * - the provider's `customFetch`: its own (global fetch) is replaced by our undici Agent, which trusts
 *   M365_CA_FILE explicitly. It must be set on the provider object: Auth.js deep-merges the provider's
 *   defaults with our options but carries symbol keys only from the defaults, so a `customFetch` passed
 *   as an option would lose to the provider's.
 * Our fetch does not rewrite a `{tenantid}` issuer template the way the provider's does: that only
 * happens for the multi-tenant `common` authority, and Coffer's authority names its tenant.
 */
function entraProvider(env: ReturnType<typeof authEnv>) {
  const provider = MicrosoftEntraID({
    clientId: env.M365_PORTAL_CLIENT_ID,
    clientSecret: env.M365_PORTAL_CLIENT_SECRET,
    issuer: `${env.M365_AUTHORITY}/v2.0`,
    // No Graph scope: the portal reads nothing from Graph, it only needs to know who signed in.
    authorization: { params: { scope: "openid profile email" } },
    checks: ["pkce", "state", "nonce"],
    profile: (claims) => ({
      id: typeof claims.oid === "string" ? claims.oid : String(claims.sub),
      name: typeof claims.name === "string" ? claims.name : null,
      email: typeof claims.preferred_username === "string" ? claims.preferred_username : null,
      image: null,
    }),
  });
  provider[customFetch] = fetchFor(env.M365_CA_FILE);
  return provider;
}

/**
 * Auth.js configuration, built on first use (so the home page renders without sign-in settings).
 *
 * The Entra ID provider (entraProvider above) keeps every request on the configured identity provider
 * (shared/reference/graph-entra-officejs.md E.4). The provider re-discovers the issuer from the ID token's `tid` after the code exchange; for
 * login.microsoftonline.com authorities that is the same tenant, and for the simulator the issuer has no
 * "microsoftonline.com" in it, so the same configured issuer is fetched again.
 */
function buildConfig(): NextAuthConfig {
  const env = authEnv();
  const access = accessEnv();
  const expectedTenantId = tenantIdOfAuthority(env.M365_AUTHORITY);
  return {
    secret: env.AUTH_SECRET,
    // The portal answers on the host it is reached by (loopback in the demo, the reverse proxy's name in
    // production: the proxy must set X-Forwarded-Host/Proto). Entra only redirects to registered URIs.
    trustHost: true,
    session: { strategy: "jwt", maxAge: SESSION_MAX_AGE_S },
    pages: { signIn: "/signin", error: "/signin" },
    providers: [entraProvider(env)],
    callbacks: {
      // Refuses tokens without an object id or from another tenant, before any session exists.
      signIn({ profile }) {
        if (!profile) return false;
        const result = identityFromClaims(profile, access, expectedTenantId);
        if (!result.ok) console.warn(`sign-in refused: ${result.reason}`);
        return result.ok;
      },
      jwt({ token, profile }) {
        if (profile) {
          const result = identityFromClaims(profile, access, expectedTenantId);
          if (result.ok) token.coffer = result.identity;
        }
        return token;
      },
      session({ session, token }) {
        const identity = token.coffer as TIdentity | undefined;
        return { ...session, ...(identity ? { coffer: identity } : {}) };
      },
    },
  };
}

export const { handlers, auth, signIn, signOut } = NextAuth(() => buildConfig());
