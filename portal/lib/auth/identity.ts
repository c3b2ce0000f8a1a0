import type { TAccessEnv } from "../env";

/**
 * Who is signed in, as the Entra ID token said at sign-in: kept in the encrypted session cookie. Roles and
 * groups are reduced to the ones the configuration names, so the cookie stays small however many groups
 * a user is in.
 */
export type TIdentity = {
  /** Entra object id: the key of `mailboxes.entra_id` and `delegates.delegate_entra_id`. */
  oid: string;
  tid: string;
  upn: string;
  name: string;
  /** App role values from the `roles` claim that the configuration honours. */
  roles: string[];
  /** Group object ids from the `groups` claim that the configuration names. */
  groups: string[];
};

/** What a signed-in person may do beyond their own and delegated mailboxes. */
export type TPrincipal = {
  oid: string;
  upn: string;
  name: string;
  isAdmin: boolean;
  /** Admin grants (false for non-admins whatever their token says). */
  grants: { contentView: boolean; protectedContent: boolean };
};

const strings = (v: unknown): string[] =>
  Array.isArray(v) ? v.filter((x): x is string => typeof x === "string") : [];

function configuredRoles(a: TAccessEnv): Set<string> {
  return new Set([
    ...a.COFFER_ADMIN_ROLES,
    ...a.COFFER_CONTENT_VIEW_ROLES,
    ...a.COFFER_PROTECTED_CONTENT_ROLES,
  ]);
}

function configuredGroups(a: TAccessEnv): Set<string> {
  return new Set(
    [
      ...a.COFFER_ADMIN_GROUP_IDS,
      ...a.COFFER_CONTENT_VIEW_GROUP_IDS,
      ...a.COFFER_PROTECTED_CONTENT_GROUP_IDS,
    ].map((g) => g.toLowerCase()),
  );
}

/**
 * The identity from validated ID token claims, or a reason to refuse the sign-in. `expectedTenantId` is
 * the tenant of the configured authority when it names one (a GUID); tokens of other tenants are refused.
 */
export function identityFromClaims(
  claims: Record<string, unknown>,
  access: TAccessEnv,
  expectedTenantId: string | undefined,
): { ok: true; identity: TIdentity } | { ok: false; reason: string } {
  const oid = typeof claims.oid === "string" ? claims.oid : "";
  const tid = typeof claims.tid === "string" ? claims.tid : "";
  if (!oid) return { ok: false, reason: "the ID token has no oid claim" };
  if (!tid) return { ok: false, reason: "the ID token has no tid claim" };
  if (expectedTenantId && tid.toLowerCase() !== expectedTenantId.toLowerCase()) {
    return { ok: false, reason: `the ID token is from tenant ${tid}, not ${expectedTenantId}` };
  }
  const upn =
    [claims.preferred_username, claims.upn, claims.email].find(
      (v): v is string => typeof v === "string" && !!v,
    ) ?? oid;
  const roles = configuredRoles(access);
  const groups = configuredGroups(access);
  return {
    ok: true,
    identity: {
      oid,
      tid,
      upn,
      name: typeof claims.name === "string" && claims.name ? claims.name : upn,
      roles: strings(claims.roles).filter((r) => roles.has(r)),
      groups: strings(claims.groups)
        .map((g) => g.toLowerCase())
        .filter((g) => groups.has(g)),
    },
  };
}

/** Evaluated on every request against the current configuration (a removed role stops working at once). */
export function principalOf(identity: TIdentity, access: TAccessEnv): TPrincipal {
  const has = (roles: string[], groups: string[]) =>
    identity.roles.some((r) => roles.includes(r)) ||
    identity.groups.some((g) => groups.some((c) => c.toLowerCase() === g));
  const isAdmin = has(access.COFFER_ADMIN_ROLES, access.COFFER_ADMIN_GROUP_IDS);
  return {
    oid: identity.oid,
    upn: identity.upn,
    name: identity.name,
    isAdmin,
    grants: {
      contentView: isAdmin && has(access.COFFER_CONTENT_VIEW_ROLES, access.COFFER_CONTENT_VIEW_GROUP_IDS),
      protectedContent:
        isAdmin && has(access.COFFER_PROTECTED_CONTENT_ROLES, access.COFFER_PROTECTED_CONTENT_GROUP_IDS),
    },
  };
}

/** The tenant id in an authority URL (`https://login.microsoftonline.com/<tenant>`), if it is a GUID. */
export function tenantIdOfAuthority(authority: string): string | undefined {
  const last = new URL(authority).pathname.split("/").filter(Boolean).pop() ?? "";
  return /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i.test(last) ? last : undefined;
}
