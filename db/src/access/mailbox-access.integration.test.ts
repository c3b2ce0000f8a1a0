import { sql } from "kysely";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { getArchivedDataTypes } from "../archive/data-presence";
import { upsertMailboxes } from "../mailboxes/mailboxes";
import type { MailboxRow } from "../schema";
import { createTestDatabase, type TestDatabase } from "../testing/test-database";
import { replaceDelegates } from "./delegates";
import { getMailboxRelation } from "./mailbox-access";

let t: TestDatabase;
let boss: MailboxRow;
let other: MailboxRow;
beforeAll(async () => {
  t = await createTestDatabase();
  const base = { mail: null, accountEnabled: true, licensed: true, hasMailbox: true, kind: "user" } as const;
  [boss, other] = (await upsertMailboxes(t.db, [
    { ...base, entraId: "e-boss", upn: "boss@contoso.com", displayName: "Boss" },
    { ...base, entraId: "e-other", upn: "other@contoso.com", displayName: "Other" },
  ])) as [MailboxRow, MailboxRow];
  await replaceDelegates(t.db, boss.id, "manual", [{ entraId: "e-asst", upn: "assistant@contoso.com" }]);
  await replaceDelegates(t.db, boss.id, "send_as", [{ entraId: "e-sender", upn: "sender@contoso.com" }]);
});
afterAll(async () => {
  await t?.drop();
});

describe("getMailboxRelation", () => {
  it("tells owner, read delegate and stranger apart in one query", async () => {
    expect(await getMailboxRelation(t.db, "e-boss", boss.id)).toMatchObject({
      isOwner: true,
      delegateSources: [],
    });
    expect(await getMailboxRelation(t.db, "e-asst", boss.id)).toMatchObject({
      isOwner: false,
      delegateSources: ["manual"],
    });
    expect((await getMailboxRelation(t.db, "e-asst", boss.id))?.mailbox.upn).toBe("boss@contoso.com");
    // send-as alone does not let anyone read the archive
    expect(await getMailboxRelation(t.db, "e-sender", boss.id)).toMatchObject({
      isOwner: false,
      delegateSources: [],
    });
    expect(await getMailboxRelation(t.db, "e-asst", other.id)).toMatchObject({
      isOwner: false,
      delegateSources: [],
    });
  });

  it("answers undefined for unknown and malformed ids instead of failing", async () => {
    expect(await getMailboxRelation(t.db, "e-boss", "00000000-0000-4000-8000-000000000000")).toBeUndefined();
    expect(await getMailboxRelation(t.db, "e-boss", "not-a-uuid")).toBeUndefined();
  });
});

describe("getArchivedDataTypes", () => {
  it("says which data types have anything archived at a time", async () => {
    const t0 = new Date("2026-01-01T00:00:00Z");
    const t1 = new Date("2026-02-01T00:00:00Z");
    await sql`INSERT INTO folder_versions (mailbox_id, data_type, graph_id, parent_graph_id, display_name, valid_from, valid_to)
      VALUES (${boss.id}, 'mail', 'inbox', NULL, 'Inbox', ${t0}, NULL),
             (${boss.id}, 'calendar', 'cal', NULL, 'Calendar', ${t0}, ${t1})`.execute(t.db);
    expect(await getArchivedDataTypes(t.db, boss.id)).toEqual({
      mail: true,
      calendar: false,
      contacts: false,
      tasks: false,
      notes: false,
    });
    // A calendar container with no events is no calendar data (every mailbox has a default calendar).
    expect((await getArchivedDataTypes(t.db, boss.id, new Date("2026-01-15T00:00:00Z"))).calendar).toBe(
      false,
    );
    expect((await getArchivedDataTypes(t.db, boss.id, new Date("2026-01-15T00:00:00Z"))).mail).toBe(true);
    expect((await getArchivedDataTypes(t.db, boss.id, new Date("2025-12-31T00:00:00Z"))).mail).toBe(false);
    expect(Object.values(await getArchivedDataTypes(t.db, other.id)).some(Boolean)).toBe(false);
  });
});
