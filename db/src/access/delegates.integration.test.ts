import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { upsertMailboxes } from "../mailboxes/mailboxes";
import type { MailboxRow } from "../schema";
import { createTestDatabase, type TestDatabase } from "../testing/test-database";
import { listAccessibleMailboxes, listDelegates, replaceDelegates } from "./delegates";

let t: TestDatabase;
let boss: MailboxRow;
let shared: MailboxRow;
let assistant: MailboxRow;
beforeAll(async () => {
  t = await createTestDatabase();
  const base = { mail: null, accountEnabled: true, licensed: true, hasMailbox: true } as const;
  [boss, shared, assistant] = (await upsertMailboxes(t.db, [
    { ...base, entraId: "e-boss", upn: "boss@contoso.com", displayName: "Boss", kind: "user" },
    { ...base, entraId: "e-shared", upn: "sales@contoso.com", displayName: "Sales", kind: "shared" },
    { ...base, entraId: "e-asst", upn: "assistant@contoso.com", displayName: "Assistant", kind: "user" },
  ])) as [MailboxRow, MailboxRow, MailboxRow];
});
afterAll(async () => {
  await t?.drop();
});

describe("delegates", () => {
  it("replaces the set of one mailbox and source, leaving other sources alone", async () => {
    await replaceDelegates(t.db, boss.id, "manual", [{ entraId: "e-asst", upn: "assistant@contoso.com" }]);
    await replaceDelegates(t.db, boss.id, "full_access", [
      { entraId: "e-asst", upn: "assistant@contoso.com", rights: "FullAccess" },
      { entraId: "e-x", upn: "x@contoso.com", rights: "FullAccess" },
    ]);
    const replaced = await replaceDelegates(t.db, boss.id, "full_access", [
      { entraId: "e-x", upn: "x.renamed@contoso.com", rights: "FullAccess" },
      { entraId: "e-y", upn: "y@contoso.com", rights: "FullAccess" },
    ]);
    expect(replaced.map((d) => d.delegate_entra_id).sort()).toEqual(["e-x", "e-y"]);
    expect((await listDelegates(t.db, boss.id)).map((d) => [d.delegate_upn, d.source])).toEqual([
      ["assistant@contoso.com", "manual"],
      ["x.renamed@contoso.com", "full_access"],
      ["y@contoso.com", "full_access"],
    ]);
    expect(await replaceDelegates(t.db, boss.id, "full_access", [])).toEqual([]);
    expect((await listDelegates(t.db, boss.id)).map((d) => d.source)).toEqual(["manual"]);
  });

  it("rolls back the whole replacement when part of it fails", async () => {
    await replaceDelegates(t.db, shared.id, "full_access", [
      { entraId: "e-asst", upn: "assistant@contoso.com" },
    ]);
    // A NULL upn violates NOT NULL after the delete ran: nothing of the replacement may stay.
    await expect(
      replaceDelegates(t.db, shared.id, "full_access", [{ entraId: "e-z", upn: null as unknown as string }]),
    ).rejects.toThrow();
    expect((await listDelegates(t.db, shared.id)).map((d) => d.delegate_entra_id)).toEqual(["e-asst"]);
  });

  it("lists the mailboxes a principal may open: its own first, then delegated ones (not send-as only)", async () => {
    await replaceDelegates(t.db, boss.id, "calendar", [{ entraId: "e-asst", upn: "assistant@contoso.com" }]);
    const other = (
      await upsertMailboxes(t.db, [
        {
          entraId: "e-other",
          upn: "other@contoso.com",
          displayName: "Other",
          kind: "user",
          mail: null,
          accountEnabled: false,
          licensed: false,
          hasMailbox: true,
        },
      ])
    )[0]!;
    await replaceDelegates(t.db, other.id, "send_as", [{ entraId: "e-asst", upn: "assistant@contoso.com" }]);

    const access = await listAccessibleMailboxes(t.db, "e-asst");
    expect(access.map((m) => [m.upn, m.is_owner, [...m.sources].sort()])).toEqual([
      ["assistant@contoso.com", true, []],
      ["boss@contoso.com", false, ["calendar", "manual"]],
      ["sales@contoso.com", false, ["full_access"]],
    ]);
    const withSendAs = await listAccessibleMailboxes(t.db, "e-asst", ["send_as"]);
    expect(withSendAs.map((m) => m.upn)).toEqual(["assistant@contoso.com", "other@contoso.com"]);
    expect(assistant.upn).toBe("assistant@contoso.com");
  });
});
