import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { upsertMailbox } from "../mailboxes/mailboxes";
import { createTestDatabase, type TestDatabase } from "../testing/test-database";
import { appendAudit, listAudit } from "./audit-log";

let t: TestDatabase;
beforeAll(async () => {
  t = await createTestDatabase();
});
afterAll(async () => {
  await t?.drop();
});

describe("audit log", () => {
  it("appends entries and pages through them newest first, with filters", async () => {
    const m = await upsertMailbox(t.db, {
      entraId: "e-a",
      upn: "a@contoso.com",
      displayName: "A",
      mail: null,
      kind: "user",
      accountEnabled: true,
      licensed: true,
      hasMailbox: true,
    });
    const first = await appendAudit(t.db, {
      actorUpn: "Admin@Contoso.com",
      action: "mailbox.export",
      mailboxId: m.id,
      detail: { reason: "HR request", format: "pst" },
      ip: "127.0.0.1",
    });
    expect(first.detail).toEqual({ reason: "HR request", format: "pst" });
    for (let i = 0; i < 7; i++) {
      await appendAudit(t.db, {
        actorUpn: "ops@contoso.com",
        action: `retention.update`,
        target: `rule ${i}`,
      });
    }
    await appendAudit(t.db, { actorUpn: "admin@contoso.com", action: "mailbox.restore", mailboxId: m.id });

    const page1 = await listAudit(t.db, { limit: 4 });
    const page2 = await listAudit(t.db, { limit: 4, beforeId: page1.at(-1)!.id });
    const page3 = await listAudit(t.db, { limit: 4, beforeId: page2.at(-1)!.id });
    const all = [...page1, ...page2, ...page3];
    expect(all).toHaveLength(9);
    expect(all[0]?.action).toBe("mailbox.restore");
    expect(all.at(-1)?.id).toBe(first.id);
    expect(new Set(all.map((r) => r.id)).size).toBe(9);

    expect((await listAudit(t.db, { mailboxId: m.id })).map((r) => r.action)).toEqual([
      "mailbox.restore",
      "mailbox.export",
    ]);
    expect((await listAudit(t.db, { action: "mailbox." })).length).toBe(2);
    expect((await listAudit(t.db, { action: "retention.update" })).length).toBe(7);
    expect((await listAudit(t.db, { actorUpn: "ADMIN@contoso.com" })).length).toBe(2);
    expect(await listAudit(t.db, { from: new Date(Date.now() + 60_000) })).toEqual([]);
  });

  it("commits with the change it records, or not at all", async () => {
    await expect(
      t.db.transaction().execute(async (trx) => {
        await appendAudit(trx, { actorUpn: "x", action: "legal_hold.place" });
        throw new Error("the change failed");
      }),
    ).rejects.toThrow("the change failed");
    expect(await listAudit(t.db, { action: "legal_hold.place" })).toEqual([]);
  });
});
