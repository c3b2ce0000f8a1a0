import type { TMailboxRelation } from "@coffer/db/access/mailbox-access";
import type { MailboxRow } from "@coffer/db/schema";
import { describe, expect, it } from "vitest";
import type { TPrincipal } from "../auth/identity";
import { decideAdmin, decideMailboxAccess } from "./policy";

const mailbox = { id: "m1", entra_id: "owner-oid", upn: "owner@contoso.test" } as MailboxRow;
const principal = (over: Partial<TPrincipal> = {}): TPrincipal => ({
  oid: "someone",
  upn: "someone@contoso.test",
  name: "Someone",
  isAdmin: false,
  grants: { contentView: false, protectedContent: false },
  ...over,
});
const relation = (over: Partial<TMailboxRelation> = {}): TMailboxRelation => ({
  mailbox,
  isOwner: false,
  delegateSources: [],
  ...over,
});

describe("decideMailboxAccess", () => {
  it("refuses the signed-out with 401 and unknown mailboxes with 404", () => {
    expect(decideMailboxAccess(null, relation({ isOwner: true }), "metadata")).toEqual({
      ok: false,
      code: "unauthenticated",
    });
    expect(decideMailboxAccess(principal(), undefined, "metadata")).toEqual({ ok: false, code: "not_found" });
  });

  it("lets owners and delegates read everything", () => {
    for (const r of [relation({ isOwner: true }), relation({ delegateSources: ["manual"] })]) {
      const d = decideMailboxAccess(principal(), r, "content");
      expect(d.ok && d.value.canReadContent).toBe(true);
    }
  });

  it("answers a stranger 404 for metadata and content alike (nothing says the mailbox exists)", () => {
    expect(decideMailboxAccess(principal(), relation(), "metadata")).toEqual({
      ok: false,
      code: "not_found",
    });
    expect(decideMailboxAccess(principal(), relation(), "content")).toEqual({ ok: false, code: "not_found" });
  });

  it("gives an admin metadata, and content only with the content view grant", () => {
    const admin = principal({ isAdmin: true });
    const meta = decideMailboxAccess(admin, relation(), "metadata");
    expect(meta.ok && meta.value).toMatchObject({ via: "admin", canReadContent: false });
    expect(decideMailboxAccess(admin, relation(), "content")).toEqual({ ok: false, code: "forbidden" });
    const viewer = principal({ isAdmin: true, grants: { contentView: true, protectedContent: false } });
    expect(decideMailboxAccess(viewer, relation(), "content").ok).toBe(true);
    // Protected Content alone does not open content
    const recoverer = principal({ isAdmin: true, grants: { contentView: false, protectedContent: true } });
    expect(decideMailboxAccess(recoverer, relation(), "content")).toEqual({ ok: false, code: "forbidden" });
  });
});

describe("decideAdmin", () => {
  it("hides admin pages from non-admins with 404", () => {
    expect(decideAdmin(principal())).toEqual({ ok: false, code: "not_found" });
    expect(decideAdmin(null)).toEqual({ ok: false, code: "unauthenticated" });
    expect(decideAdmin(principal({ isAdmin: true })).ok).toBe(true);
  });
});
