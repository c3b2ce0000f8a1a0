import { describe, expect, it } from "vitest";
import type { TAccessEnv } from "../env";
import { identityFromClaims, principalOf, tenantIdOfAuthority } from "./identity";

const TENANT = "11111111-2222-4333-8444-555555555555";
const access: TAccessEnv = {
  COFFER_ADMIN_ROLES: ["Coffer.Admin"],
  COFFER_ADMIN_GROUP_IDS: ["AAAAAAAA-0000-4000-8000-000000000001"],
  COFFER_CONTENT_VIEW_ROLES: ["Coffer.ContentView"],
  COFFER_CONTENT_VIEW_GROUP_IDS: [],
  COFFER_PROTECTED_CONTENT_ROLES: ["Coffer.ProtectedContent"],
  COFFER_PROTECTED_CONTENT_GROUP_IDS: [],
};
const claims = (over: Record<string, unknown> = {}) => ({
  oid: "oid-1",
  tid: TENANT,
  preferred_username: "ada@contoso.test",
  name: "Ada",
  ...over,
});

describe("identityFromClaims", () => {
  it("keeps oid, upn and only the configured roles and groups", () => {
    const r = identityFromClaims(
      claims({
        roles: ["Coffer.Admin", "Other.Role"],
        groups: ["aaaaaaaa-0000-4000-8000-000000000001", "g2"],
      }),
      access,
      TENANT,
    );
    expect(r).toEqual({
      ok: true,
      identity: {
        oid: "oid-1",
        tid: TENANT,
        upn: "ada@contoso.test",
        name: "Ada",
        roles: ["Coffer.Admin"],
        groups: ["aaaaaaaa-0000-4000-8000-000000000001"],
      },
    });
  });

  it("refuses tokens without an object id or from another tenant", () => {
    expect(identityFromClaims(claims({ oid: undefined }), access, TENANT).ok).toBe(false);
    expect(
      identityFromClaims(claims({ tid: "99999999-2222-4333-8444-555555555555" }), access, TENANT).ok,
    ).toBe(false);
  });
});

describe("principalOf", () => {
  const id = (roles: string[], groups: string[] = []) => {
    const r = identityFromClaims(claims({ roles, groups }), access, TENANT);
    if (!r.ok) throw new Error(r.reason);
    return r.identity;
  };

  it("makes admins by app role or by group, grants only for admins", () => {
    expect(principalOf(id(["Coffer.Admin"]), access).isAdmin).toBe(true);
    expect(principalOf(id([], ["AAAAAAAA-0000-4000-8000-000000000001"]), access).isAdmin).toBe(true);
    const notAdmin = principalOf(id(["Coffer.ContentView"]), access);
    expect(notAdmin).toMatchObject({ isAdmin: false, grants: { contentView: false } });
    expect(principalOf(id(["Coffer.Admin", "Coffer.ContentView"]), access).grants).toEqual({
      contentView: true,
      protectedContent: false,
    });
  });

  it("follows the configuration: a role removed from it stops working at once", () => {
    const identity = id(["Coffer.Admin"]);
    expect(principalOf(identity, { ...access, COFFER_ADMIN_ROLES: [] }).isAdmin).toBe(false);
  });
});

describe("tenantIdOfAuthority", () => {
  it("reads a tenant GUID, not a domain or 'common'", () => {
    expect(tenantIdOfAuthority(`https://login.microsoftonline.com/${TENANT}`)).toBe(TENANT);
    expect(tenantIdOfAuthority("https://login.microsoftonline.com/common")).toBeUndefined();
  });
});
