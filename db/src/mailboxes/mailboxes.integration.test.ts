import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createTestDatabase, type TestDatabase } from "../testing/test-database";
import {
  countMailboxes,
  DIRECTORY_DEPROVISIONED,
  deprovisionMailbox,
  findMailboxByEntraId,
  findMailboxByUpn,
  listMailboxes,
  type TDirectoryMailbox,
  upsertMailbox,
  upsertMailboxes,
} from "./mailboxes";

let t: TestDatabase;
beforeAll(async () => {
  t = await createTestDatabase();
});
afterAll(async () => {
  await t?.drop();
});

const account = (
  entraId: string,
  upn: string,
  extra: Partial<TDirectoryMailbox> = {},
): TDirectoryMailbox => ({
  entraId,
  upn,
  displayName: upn.split("@")[0]!,
  mail: upn,
  kind: "user",
  accountEnabled: true,
  licensed: true,
  hasMailbox: true,
  ...extra,
});

describe("mailboxes", () => {
  it("inserts, then updates by Entra id, keeping first_seen_at", async () => {
    const seen1 = new Date("2026-01-01T00:00:00Z");
    const inserted = await upsertMailbox(t.db, account("e-ada", "Ada@Contoso.com"), seen1);
    const seen2 = new Date("2026-02-01T00:00:00Z");
    const updated = await upsertMailbox(
      t.db,
      account("e-ada", "ada.lovelace@contoso.com", { displayName: "Ada Lovelace", licensed: false }),
      seen2,
    );
    expect(updated).toMatchObject({
      id: inserted.id,
      upn: "ada.lovelace@contoso.com",
      display_name: "Ada Lovelace",
      licensed: false,
      first_seen_at: seen1,
      last_seen_at: seen2,
    });
  });

  it("finds by UPN ignoring case, and by Entra id", async () => {
    await upsertMailbox(t.db, account("e-bob", "Bob.Smith@Contoso.com"));
    expect((await findMailboxByUpn(t.db, "bob.smith@contoso.COM"))?.entra_id).toBe("e-bob");
    expect((await findMailboxByEntraId(t.db, "e-bob"))?.upn).toBe("Bob.Smith@Contoso.com");
    expect(await findMailboxByUpn(t.db, "nobody@contoso.com")).toBeUndefined();
  });

  it("lists active mailboxes by default and deactivated ones on request, with search and kinds", async () => {
    await upsertMailboxes(t.db, [
      account("e-l1", "list-active@fabrikam.com"),
      account("e-l2", "list-disabled@fabrikam.com", { accountEnabled: false }),
      account("e-l3", "list-unlicensed@fabrikam.com", { licensed: false }),
      account("e-l4", "list-room@fabrikam.com", { kind: "room", displayName: "Board Room" }),
      account("e-l5", "list_gone@fabrikam.com"),
    ]);
    const gone = await findMailboxByEntraId(t.db, "e-l5");
    await deprovisionMailbox(t.db, gone!.id, "admin@fabrikam.com");

    const upns = (rows: { upn: string }[]) => rows.map((r) => r.upn);
    expect(upns(await listMailboxes(t.db, { search: "fabrikam" }))).toEqual([
      "list-active@fabrikam.com",
      "list-room@fabrikam.com",
    ]);
    expect(upns(await listMailboxes(t.db, { search: "FABRIKAM", includeDeactivated: true }))).toEqual([
      "list-active@fabrikam.com",
      "list-disabled@fabrikam.com",
      "list-room@fabrikam.com",
      "list-unlicensed@fabrikam.com",
      "list_gone@fabrikam.com",
    ]);
    expect(upns(await listMailboxes(t.db, { search: "board room", kinds: ["room"] }))).toEqual([
      "list-room@fabrikam.com",
    ]);
    // `_` is a LIKE wildcard; the search means the character.
    expect(upns(await listMailboxes(t.db, { search: "list_", includeDeactivated: true }))).toEqual([
      "list_gone@fabrikam.com",
    ]);
    expect(await countMailboxes(t.db, { search: "fabrikam", includeDeactivated: true })).toBe(5);
    expect(
      upns(await listMailboxes(t.db, { search: "fabrikam", includeDeactivated: true, limit: 2, offset: 2 })),
    ).toEqual(["list-room@fabrikam.com", "list-unlicensed@fabrikam.com"]);
  });

  it("deprovisions once: the first time and actor are kept", async () => {
    const m = await upsertMailbox(t.db, account("e-dep", "dep@contoso.com"));
    const first = await deprovisionMailbox(t.db, m.id, "alice");
    const again = await deprovisionMailbox(t.db, m.id, "bob");
    expect(first?.deprovisioned_by).toBe("alice");
    expect(again?.deprovisioned_at).toEqual(first?.deprovisioned_at);
    expect(again?.deprovisioned_by).toBe("alice");
    // A directory sync that still sees the account does not undo an admin's deprovisioning.
    const synced = await upsertMailbox(t.db, account("e-dep", "dep@contoso.com"));
    expect(synced.deprovisioned_by).toBe("alice");
  });

  it("swaps UPNs between two accounts in one batch", async () => {
    await upsertMailboxes(t.db, [account("e-s1", "one@swap.com"), account("e-s2", "two@swap.com")]);
    await upsertMailboxes(t.db, [account("e-s1", "two@swap.com"), account("e-s2", "One@swap.com")]);
    expect((await findMailboxByUpn(t.db, "two@swap.com"))?.entra_id).toBe("e-s1");
    expect((await findMailboxByUpn(t.db, "one@swap.com"))?.entra_id).toBe("e-s2");
  });

  it("gives a reused UPN to the new account and keeps the old mailbox, deprovisioned", async () => {
    const old = await upsertMailbox(t.db, account("e-old", "reused@contoso.com"));
    const fresh = await upsertMailbox(t.db, account("e-new", "reused@contoso.com"));
    expect(fresh.id).not.toBe(old.id);
    const oldNow = await findMailboxByEntraId(t.db, "e-old");
    expect(oldNow).toMatchObject({ upn: "reused@contoso.com", deprovisioned_by: DIRECTORY_DEPROVISIONED });
    expect((await findMailboxByUpn(t.db, "reused@contoso.com"))?.entra_id).toBe("e-new");

    // The old account was only renamed after all: seen again, it is live again under its new UPN.
    const back = await upsertMailbox(t.db, account("e-old", "renamed@contoso.com"));
    expect(back).toMatchObject({ id: old.id, upn: "renamed@contoso.com", deprovisioned_at: null });
  });

  it("rejects a batch that gives one UPN to two accounts", async () => {
    await expect(
      upsertMailboxes(t.db, [account("e-d1", "dup@contoso.com"), account("e-d2", "DUP@contoso.com")]),
    ).rejects.toThrow(/two accounts.*dup@contoso.com/i);
  });

  it("upserts a large directory in chunks", async () => {
    const many = Array.from({ length: 2500 }, (_, i) => account(`e-bulk-${i}`, `bulk${i}@big.example`));
    const rows = await upsertMailboxes(t.db, many);
    expect(rows).toHaveLength(2500);
    expect(await countMailboxes(t.db, { search: "@big.example" })).toBe(2500);
  });
});
