import { sql } from "kysely";
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { listAudit } from "../audit/audit-log";
import { countMailboxes, listMailboxes, upsertMailbox } from "../mailboxes/mailboxes";
import { createTestDatabase, type TestDatabase } from "../testing/test-database";
import { deprovision, reprovision } from "./deprovisioning";
import { listHolds, placeHold, releaseHold } from "./holds";
import { checkSyncAllowed, filterSyncableMailboxes } from "./sync-gate";
import { seedMailbox } from "./testing/seed-archive";

/** The legal hold page and the de-provision button's functions against a real PostgreSQL. */

const counsel = { upn: "counsel@contoso.example" };
let t: TestDatabase;

beforeAll(async () => {
  t = await createTestDatabase("coffer_holds");
});
afterAll(async () => {
  await t?.drop();
});
beforeEach(async () => {
  await sql`TRUNCATE mailboxes, legal_holds, audit_log CASCADE`.execute(t.db);
});

describe("legal holds", () => {
  it("places, refuses a second hold, lists, releases and audits", async () => {
    const m = await seedMailbox(t.db, "dana@contoso.example");
    const placed = await placeHold(
      t.db,
      { mailbox: "DANA@contoso.example", reason: "  Matter 2026-17  " },
      { actor: counsel },
    );
    expect(placed.hold).toMatchObject({
      upn: m.upn,
      reason: "Matter 2026-17",
      placedBy: counsel.upn,
      isActive: true,
    });
    expect(placed.message).toBe(
      "dana@contoso.example is on legal hold: nothing of its archive is deleted until the hold is released.",
    );
    await expect(
      placeHold(t.db, { mailbox: m.upn, reason: "again" }, { actor: counsel }),
    ).rejects.toMatchObject({
      code: "conflict",
      message: expect.stringMatching(
        /^dana@contoso\.example is already on legal hold since .* UTC, placed by counsel@contoso\.example: Matter 2026-17$/,
      ),
    });
    await expect(placeHold(t.db, { mailbox: m.upn, reason: " " }, { actor: counsel })).rejects.toMatchObject({
      code: "invalid_input",
      message: "Give the reason for the hold, for example the matter or case it is for.",
    });
    await expect(
      placeHold(t.db, { mailbox: "nobody@contoso.example", reason: "x" }, { actor: counsel }),
    ).rejects.toMatchObject({
      code: "not_found",
      message: "No archived mailbox has the address or id nobody@contoso.example.",
    });
    expect((await listHolds(t.db)).map((h) => [h.upn, h.reason])).toEqual([[m.upn, "Matter 2026-17"]]);

    const released = await releaseHold(t.db, { mailbox: m.id, note: "case closed" }, { actor: counsel });
    expect(released.hold).toMatchObject({ isActive: false, releasedBy: counsel.upn });
    expect(released.message).toBe(
      "The legal hold on dana@contoso.example is released. Nothing of it is past its retention period.",
    );
    await expect(releaseHold(t.db, { mailbox: m.upn }, { actor: counsel })).rejects.toMatchObject({
      code: "not_found",
      message: "dana@contoso.example is not on legal hold.",
    });
    expect(await listHolds(t.db)).toEqual([]);
    expect((await listHolds(t.db, { includeReleased: true, mailbox: m.upn })).map((h) => h.isActive)).toEqual(
      [false],
    );

    const audit = await listAudit(t.db, { mailboxId: m.id });
    expect(audit.map((a) => [a.action, a.actor_upn, a.target])).toEqual([
      ["legal_hold.release", counsel.upn, m.upn],
      ["legal_hold.place", counsel.upn, m.upn],
    ]);
    expect(audit[0]!.detail).toMatchObject({ reason: "Matter 2026-17", note: "case closed" });
  });
});

describe("de-provisioning", () => {
  it("stops syncing, keeps the mailbox findable with include deactivated, and re-provisions", async () => {
    const m = await seedMailbox(t.db, "leaver@contoso.example");
    const other = await seedMailbox(t.db, "stayer@contoso.example");
    const admin = { upn: "admin@contoso.example" };

    const done = await deprovision(t.db, { mailbox: m.upn, reason: "left the company" }, { actor: admin });
    expect(done.mailbox).toMatchObject({
      isDeprovisioned: true,
      deprovisionedBy: admin.upn,
      isActive: false,
    });
    expect(done.message).toMatch(/no longer synced.*"include deactivated users"/);
    await expect(deprovision(t.db, { mailbox: m.upn }, { actor: admin })).rejects.toMatchObject({
      code: "conflict",
      message: expect.stringMatching(
        /^leaver@contoso\.example is already de-provisioned \(since .* UTC, by admin@contoso\.example\)\.$/,
      ),
    });

    expect(await checkSyncAllowed(t.db, m.id, "mail")).toMatchObject({
      isAllowed: false,
      reason: "deprovisioned",
    });
    const gate = await filterSyncableMailboxes(t.db, [m, other], "mail");
    expect(gate.allowed.map((x) => x.upn)).toEqual([other.upn]);
    expect(gate.skipped.map((x) => [x.mailbox.upn, x.reason])).toEqual([[m.upn, "deprovisioned"]]);

    expect((await listMailboxes(t.db)).map((x) => x.upn)).toEqual([other.upn]);
    expect((await listMailboxes(t.db, { includeDeactivated: true })).map((x) => x.upn)).toEqual([
      m.upn,
      other.upn,
    ]);
    expect(await countMailboxes(t.db, { search: "leaver", includeDeactivated: true })).toBe(1);
    // A directory sync that still sees the account does not undo it.
    await upsertMailbox(t.db, {
      entraId: m.entra_id,
      upn: m.upn,
      displayName: "Leaver",
      mail: m.upn,
      kind: "user",
      accountEnabled: true,
      licensed: true,
      hasMailbox: true,
    });
    expect(await checkSyncAllowed(t.db, m.id, "mail")).toMatchObject({ isAllowed: false });

    const back = await reprovision(t.db, { mailbox: m.upn }, { actor: admin });
    expect(back.mailbox).toMatchObject({ isDeprovisioned: false, isActive: true });
    expect(back.message).toBe(
      "leaver@contoso.example is provisioned again: its next sync continues its archive.",
    );
    expect(await checkSyncAllowed(t.db, m.id, "mail")).toEqual({ isAllowed: true });
    await expect(reprovision(t.db, { mailbox: m.upn }, { actor: admin })).rejects.toMatchObject({
      code: "conflict",
      message: "leaver@contoso.example is not de-provisioned.",
    });
    const actions = (await listAudit(t.db, { mailboxId: m.id })).map((a) => a.action);
    expect(actions).toEqual(["mailbox.reprovision", "mailbox.deprovision"]);
  });

  it("does not re-provision an archive whose UPN now belongs to another account", async () => {
    const admin = { upn: "admin@contoso.example" };
    const old = await seedMailbox(t.db, "shared-name@contoso.example");
    await deprovision(t.db, { mailbox: old.upn }, { actor: admin });
    const successor = await upsertMailbox(t.db, {
      entraId: "entra-new-account",
      upn: old.upn,
      displayName: "New Hire",
      mail: old.upn,
      kind: "user",
      accountEnabled: true,
      licensed: true,
      hasMailbox: true,
    });
    expect(successor.id).not.toBe(old.id);
    await expect(reprovision(t.db, { mailbox: old.upn }, { actor: admin })).rejects.toMatchObject({
      code: "conflict",
      message:
        "shared-name@contoso.example now belongs to another account (New Hire), so this archive stays de-provisioned under its old address.",
    });
    // By id, the old archive is still reachable; the UPN names the live one.
    await expect(deprovision(t.db, { mailbox: old.id }, { actor: admin })).rejects.toMatchObject({
      code: "conflict",
    });
    const live = await deprovision(t.db, { mailbox: old.upn }, { actor: admin });
    expect(live.mailbox.mailboxId).toBe(successor.id);
  });
});
