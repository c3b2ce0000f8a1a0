import { sql } from "kysely";
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { purgeExpired } from "../purge/purge";
import { createTestDatabase, type TestDatabase } from "../testing/test-database";
import { isRetentionError, type RetentionError } from "./errors";
import { placeHold } from "./holds";
import {
  applyPolicyChange,
  getDefaultRules,
  getRetentionSettings,
  previewPolicyChange,
} from "./policy-change";
import { updatePolicyRules } from "./retention-policies";
import { checkSyncAllowed } from "./sync-gate";
import {
  ageObjects,
  daysAgo,
  seedContent,
  seedMailbox,
  seedVersion,
  type TSeedStore,
  tempBlobStore,
} from "./testing/seed-archive";

/** The policy page's functions against a real PostgreSQL: validation, preview = what the purge deletes, audit. */

const actor = { upn: "admin@contoso.example", ip: "10.0.0.7" };
let t: TestDatabase;
let s: TSeedStore;

beforeAll(async () => {
  t = await createTestDatabase("coffer_policy");
});
afterAll(async () => {
  await t?.drop();
  s?.remove();
});
beforeEach(async () => {
  s?.remove();
  s = tempBlobStore();
  await sql`TRUNCATE mailboxes, blobs, contents, item_versions, folder_versions, sync_cursors, legal_holds,
    audit_log, purge_runs, purge_blob_candidates, purge_pending_objects CASCADE`.execute(t.db);
  await sql`DELETE FROM retention_policies WHERE NOT is_default`.execute(t.db);
  await sql`UPDATE retention_rules SET sync_enabled = true, retention_days = 2555`.execute(t.db);
});

async function rejection(input: unknown): Promise<RetentionError> {
  const error = await applyPolicyChange(t.db, input, { confirmed: true, actor }).then(
    () => undefined,
    (e: unknown) => e,
  );
  if (!isRetentionError(error)) throw new Error(`expected a RetentionError, got ${String(error)}`);
  return error;
}

describe("retention policy changes", () => {
  it("rejects invalid values with a clear message and changes nothing", async () => {
    const before = await t.db.selectFrom("retention_policies").selectAll().execute();
    const cases: Array<[unknown, RegExp]> = [
      [
        { rules: [{ dataType: "mail", retentionDays: 0 }] },
        /^Mail: Retention must be at least 1 day \(0 was given\)\.$/,
      ],
      [
        { rules: [{ dataType: "calendar", retentionDays: 36_136 }] },
        /^Calendar: Retention can be at most 36,135 days, 99 years \(36,136 was given\)\.$/,
      ],
      [
        { rules: [{ dataType: "tasks", retentionDays: 1.5 }] },
        /^Tasks: Retention must be a whole number of days \(1\.5 is not\)\.$/,
      ],
      [
        { rules: [{ dataType: "notes", retentionDays: "a week" }] },
        /^Notes: Retention must be a number of days from 1 to 36,135\.$/,
      ],
      [
        { rules: [{ dataType: "files", retentionDays: 30 }] },
        /^Unknown data type "files": choose mail, calendar, contacts, tasks or notes\.$/,
      ],
      [{ rules: [{ dataType: "mail" }] }, /Say what to change/],
      [{ rules: [] }, /^Say which data types to change\.$/],
      [
        {
          rules: [
            { dataType: "mail", retentionDays: 10 },
            { dataType: "mail", retentionDays: 20 },
          ],
        },
        /listed twice/,
      ],
    ];
    for (const [input, message] of cases) {
      const e = await rejection(input);
      expect(e.code).toBe("invalid_input");
      expect(e.message).toMatch(message);
      expect(e.issues.length).toBeGreaterThan(0);
      await expect(previewPolicyChange(t.db, input)).rejects.toThrow(message);
    }
    expect(await t.db.selectFrom("retention_policies").selectAll().execute()).toEqual(before);
    expect(await getDefaultRules(t.db)).toEqual(
      Object.fromEntries(
        ["mail", "calendar", "contacts", "tasks", "notes"].map((d) => [
          d,
          { syncEnabled: true, retentionDays: 2555 },
        ]),
      ),
    );
    expect(await t.db.selectFrom("audit_log").select("id").execute()).toEqual([]);
  });

  it("accepts the bounds, numbers typed in a form, and refuses without confirmation", async () => {
    await expect(
      applyPolicyChange(
        t.db,
        { rules: [{ dataType: "mail", retentionDays: 1 }] },
        { confirmed: false as true, actor },
      ),
    ).rejects.toMatchObject({ code: "confirmation_required" });
    expect((await getDefaultRules(t.db)).mail.retentionDays).toBe(2555);

    await applyPolicyChange(
      t.db,
      {
        rules: [
          { dataType: "mail", retentionDays: "36,135" },
          { dataType: "notes", retentionDays: 1 },
        ],
      },
      { confirmed: true, actor },
    );
    const rules = await getDefaultRules(t.db);
    expect(rules.mail.retentionDays).toBe(36_135);
    expect(rules.notes.retentionDays).toBe(1);
  });

  it("1 day and 36,135 days: the preview says exactly what the purge then deletes", async () => {
    const now = new Date();
    const m = await seedMailbox(t.db, "edge@contoso.example");
    const content = async (text: string) => seedContent(t.db, s.store, text);
    // Received 98 years ago and still in the mailbox; received 2 days ago; received 2 hours ago;
    // deleted 2 hours ago after 3 years; moved 2 hours ago, received 2 days ago.
    await seedVersion(t.db, {
      mailboxId: m.id,
      graphId: "ancient",
      content: await content("1928"),
      receivedAt: daysAgo(98 * 365, now),
      validFrom: daysAgo(5, now),
    });
    await seedVersion(t.db, {
      mailboxId: m.id,
      graphId: "twodays",
      content: await content("2 days"),
      validFrom: daysAgo(2, now),
    });
    await seedVersion(t.db, {
      mailboxId: m.id,
      graphId: "fresh",
      content: await content("2 hours"),
      validFrom: new Date(now.getTime() - 7_200_000),
    });
    await seedVersion(t.db, {
      mailboxId: m.id,
      graphId: "gone",
      content: await content("3 years"),
      validFrom: daysAgo(3 * 365, now),
      validTo: new Date(now.getTime() - 7_200_000),
    });
    const moved = await content("moved");
    await seedVersion(t.db, {
      mailboxId: m.id,
      graphId: "moved",
      content: moved,
      validFrom: daysAgo(2, now),
      validTo: new Date(now.getTime() - 7_200_000),
    });
    await seedVersion(t.db, {
      mailboxId: m.id,
      graphId: "moved",
      folder: "archive",
      content: moved,
      receivedAt: daysAgo(2, now),
      validFrom: new Date(now.getTime() - 7_200_000),
    });
    await ageObjects(s, 7_200_000);

    const max = await previewPolicyChange(
      t.db,
      { rules: [{ dataType: "mail", retentionDays: 36_135 }] },
      { now },
    );
    expect(max.changes[0]).toMatchObject({ kind: "longer", toDelete: { versions: 0, items: 0 } });
    expect(max.hasDeletions).toBe(false);
    expect(max.confirmation.confirmLabel).toBe("Save");

    const preview = await previewPolicyChange(
      t.db,
      { rules: [{ dataType: "mail", retentionDays: 1 }] },
      { now },
    );
    const change = preview.changes[0]!;
    expect(change.kind).toBe("shorter");
    // ancient and twodays (received too long ago), moved (its current version was received 2 days ago:
    // both versions go); fresh and gone (deleted 2 hours ago) stay.
    expect(change.toDelete).toMatchObject({ items: 3, versions: 4, mailboxes: 1, contents: 3 });
    expect(change.summary).toMatch(
      /^Mail: retention shortened from 2,555 days \(7 years\) to 1 day\. Deleted: .*3 items \(4 versions, .*\) from 1 mailbox\.$/,
    );
    expect(preview.confirmation).toMatchObject({ confirmLabel: "Save and delete" });
    expect(preview.confirmation.lines.at(-1)).toBe("Deleted data cannot be recovered.");

    const applied = await applyPolicyChange(
      t.db,
      {
        rules: [{ dataType: "mail", retentionDays: 1 }],
        expectedUpdatedAt: preview.policy.updatedAt.toISOString(),
      },
      { confirmed: true, actor, now },
    );
    expect(applied.purge).toBe("left_to_daily_purge");
    const report = await purgeExpired(t.db, s.backend, { dryRun: false, now });
    const mail = report.types.find((r) => r.dataType === "mail")!;
    expect({ items: mail.items, versions: mail.versions }).toEqual({ items: 3, versions: 4 });
    expect(report.blobs.rows).toBe(change.toDelete.contents);
    expect(report.blobs.storedBytes).toBe(change.toDelete.storageFreedBytes);
    const left = await t.db.selectFrom("item_versions").select("graph_id").orderBy("graph_id").execute();
    expect(left.map((r) => r.graph_id)).toEqual(["fresh", "gone"]);

    const audit = await t.db
      .selectFrom("audit_log")
      .selectAll()
      .where("action", "=", "retention.policy.update")
      .execute();
    expect(audit).toHaveLength(1);
    expect(audit[0]).toMatchObject({ actor_upn: actor.upn, ip: actor.ip, target: "Default" });
    expect(audit[0]!.detail).toMatchObject({
      changes: [
        { dataType: "mail", kind: "shorter", before: { retentionDays: 2555 }, after: { retentionDays: 1 } },
      ],
    });
  });

  it("off then on again: sync stops, cursors are forgotten, the data goes, and on again means a full sync", async () => {
    const now = new Date();
    const m = await seedMailbox(t.db, "cal@contoso.example");
    const h = await seedMailbox(t.db, "held@contoso.example");
    await placeHold(t.db, { mailbox: h.upn, reason: "audit 2026" }, { actor });
    for (const mb of [m, h]) {
      await seedVersion(t.db, {
        mailboxId: mb.id,
        dataType: "calendar",
        graphId: "e1",
        content: await seedContent(t.db, s.store, `event ${mb.upn}`, "calendar"),
        validFrom: daysAgo(3, now),
      });
      await t.db
        .insertInto("sync_cursors")
        .values({ mailbox_id: mb.id, data_type: "calendar", scope: "calendar", delta_link: "d" })
        .execute();
    }
    const preview = await previewPolicyChange(
      t.db,
      { rules: [{ dataType: "calendar", syncEnabled: false }] },
      { now },
    );
    expect(preview.changes[0]).toMatchObject({
      kind: "sync_off",
      cutoff: null,
      toDelete: { items: 1, versions: 1, mailboxes: 1 },
      protectedByHold: { items: 1, mailboxes: 1 },
    });
    expect(preview.changes[0]!.summary).toMatch(
      /^Calendar: sync turned off\. Coffer stops archiving calendar events and deletes all archived calendar events: 1 item .* 1 mailbox on legal hold keeps 1 item .* Turning it on again later starts a full sync\.$/,
    );

    const requested: unknown[] = [];
    const result = await applyPolicyChange(
      t.db,
      { rules: [{ dataType: "calendar", syncEnabled: false }] },
      { confirmed: true, actor, now, requestPurge: (r) => void requested.push(r) },
    );
    expect(result.purge).toBe("requested");
    expect(requested).toEqual([{ dataTypes: ["calendar"], requestedBy: actor.upn }]);
    expect(await checkSyncAllowed(t.db, m.id, "calendar")).toMatchObject({
      isAllowed: false,
      reason: "data_type_off",
    });
    expect(await checkSyncAllowed(t.db, m.id, "mail")).toEqual({ isAllowed: true });
    const cursors = await t.db.selectFrom("sync_cursors").select("mailbox_id").execute();
    expect(cursors.map((c) => c.mailbox_id)).toEqual([h.id]);

    await purgeExpired(t.db, s.backend, { dryRun: false, now });
    const left = await t.db
      .selectFrom("item_versions")
      .select("mailbox_id")
      .where("data_type", "=", "calendar")
      .execute();
    expect(left.map((r) => r.mailbox_id)).toEqual([h.id]);

    const on = await applyPolicyChange(
      t.db,
      { rules: [{ dataType: "calendar", syncEnabled: true }] },
      { confirmed: true, actor, now },
    );
    expect(on.preview.changes[0]!.kind).toBe("sync_on");
    expect(on.preview.changes[0]!.summary).toMatch(/full sync/);
    expect(await checkSyncAllowed(t.db, m.id, "calendar")).toEqual({ isAllowed: true });
    expect(
      await t.db
        .selectFrom("audit_log")
        .select("action")
        .where("action", "=", "retention.policy.update")
        .execute(),
    ).toHaveLength(2);
  });

  it("refuses a stale form, and says when another policy takes priority", async () => {
    const settings = await getRetentionSettings(t.db);
    await applyPolicyChange(
      t.db,
      { rules: [{ dataType: "contacts", retentionDays: 100 }] },
      { confirmed: true, actor },
    );
    await expect(
      applyPolicyChange(
        t.db,
        {
          rules: [{ dataType: "contacts", retentionDays: 50 }],
          expectedUpdatedAt: settings.defaultPolicy.updatedAt,
        },
        { confirmed: true, actor },
      ),
    ).rejects.toMatchObject({
      code: "stale",
      message: expect.stringMatching(/changed by admin@contoso\.example at .* after this form was opened/),
    });
    expect((await getDefaultRules(t.db)).contacts.retentionDays).toBe(100);

    const legal = await t.db
      .insertInto("retention_policies")
      .values({ name: "Legal 10y", priority: 10 })
      .returningAll()
      .executeTakeFirstOrThrow();
    await updatePolicyRules(
      t.db,
      legal.id,
      [{ dataType: "mail", syncEnabled: true, retentionDays: 3650 }],
      "x",
    );
    const preview = await previewPolicyChange(t.db, { rules: [{ dataType: "mail", syncEnabled: false }] });
    expect(preview.changes[0]).toMatchObject({
      kind: "overridden",
      effectiveAfter: { policyName: "Legal 10y", syncEnabled: true },
    });
    expect(preview.changes[0]!.summary).toMatch(/the Legal 10y policy takes priority for mail,/);
    const shown = await getRetentionSettings(t.db);
    expect(shown.otherPolicies.map((p) => [p.name, p.isEditable])).toEqual([["Legal 10y", false]]);
    expect(shown.effective.find((e) => e.dataType === "mail")).toMatchObject({
      policyName: "Legal 10y",
      retentionDays: 3650,
    });
  });
});
