import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { ZodError } from "zod";
import { upsertMailbox } from "../mailboxes/mailboxes";
import { createTestDatabase, type TestDatabase } from "../testing/test-database";
import {
  isOnHold,
  listActiveLegalHolds,
  listLegalHolds,
  placeLegalHold,
  releaseLegalHold,
} from "./legal-holds";
import { getDefaultPolicy, getEffectiveRules, getPolicy, updatePolicyRules } from "./retention-policies";

let t: TestDatabase;
beforeAll(async () => {
  t = await createTestDatabase();
});
afterAll(async () => {
  await t?.drop();
});

describe("retention policies", () => {
  it("has the seed's default policy: five data types, synced, 2,555 days", async () => {
    const { policy, rules } = await getDefaultPolicy(t.db);
    expect(policy).toMatchObject({ name: "Default", is_default: true });
    expect(rules.map((r) => [r.data_type, r.sync_enabled, r.retention_days])).toEqual([
      ["mail", true, 2555],
      ["calendar", true, 2555],
      ["contacts", true, 2555],
      ["tasks", true, 2555],
      ["notes", true, 2555],
    ]);
  });

  it("updates the given rules only, recording who changed the policy", async () => {
    const { policy } = await getDefaultPolicy(t.db);
    const updated = await updatePolicyRules(
      t.db,
      policy.id,
      [
        { dataType: "notes", syncEnabled: false, retentionDays: 2555 },
        { dataType: "mail", syncEnabled: true, retentionDays: 36_135 },
      ],
      "admin@contoso.com",
    );
    expect(updated.policy.updated_by).toBe("admin@contoso.com");
    expect(updated.rules.find((r) => r.data_type === "mail")?.retention_days).toBe(36_135);
    expect(updated.rules.find((r) => r.data_type === "notes")?.sync_enabled).toBe(false);
    expect(updated.rules.find((r) => r.data_type === "calendar")?.retention_days).toBe(2555);
    expect((await getPolicy(t.db, policy.id))?.rules).toEqual(updated.rules);
  });

  it("rejects retention outside 1–36,135 days, fractions and duplicates, changing nothing", async () => {
    const { policy, rules: before } = await getDefaultPolicy(t.db);
    for (const retentionDays of [0, 36_136, 1.5, -3]) {
      await expect(
        updatePolicyRules(t.db, policy.id, [{ dataType: "mail", syncEnabled: true, retentionDays }], "x"),
      ).rejects.toBeInstanceOf(ZodError);
    }
    await expect(
      updatePolicyRules(
        t.db,
        policy.id,
        [
          { dataType: "mail", syncEnabled: true, retentionDays: 1 },
          { dataType: "mail", syncEnabled: true, retentionDays: 2 },
        ],
        "x",
      ),
    ).rejects.toThrow(/listed twice/);
    expect((await getDefaultPolicy(t.db)).rules).toEqual(before);
    // The bounds themselves are accepted.
    await updatePolicyRules(
      t.db,
      policy.id,
      [{ dataType: "tasks", syncEnabled: true, retentionDays: 1 }],
      "x",
    );
  });

  it("lets a customer policy take priority over the default, per data type", async () => {
    const custom = await t.db
      .insertInto("retention_policies")
      .values({ name: "Legal 10y", priority: 10 })
      .returningAll()
      .executeTakeFirstOrThrow();
    await updatePolicyRules(
      t.db,
      custom.id,
      [{ dataType: "mail", syncEnabled: true, retentionDays: 3650 }],
      "x",
    );
    const effective = await getEffectiveRules(t.db);
    expect(effective.map((r) => [r.data_type, r.policy_name])).toEqual([
      ["mail", "Legal 10y"],
      ["calendar", "Default"],
      ["contacts", "Default"],
      ["tasks", "Default"],
      ["notes", "Default"],
    ]);
    expect(effective[0]?.retention_days).toBe(3650);
  });
});

describe("legal holds", () => {
  it("places one active hold per mailbox, releases it, and keeps the history", async () => {
    const m = await upsertMailbox(t.db, {
      entraId: "e-hold",
      upn: "hold@contoso.com",
      displayName: "Held",
      mail: null,
      kind: "user",
      accountEnabled: true,
      licensed: true,
      hasMailbox: true,
    });
    expect(await isOnHold(t.db, m.id)).toBe(false);
    const hold = await placeLegalHold(t.db, {
      mailboxId: m.id,
      reason: "litigation 42",
      createdBy: "counsel",
    });
    expect(hold).toMatchObject({ reason: "litigation 42", released_at: null });
    expect(await placeLegalHold(t.db, { mailboxId: m.id, reason: "again", createdBy: "x" })).toBeUndefined();
    expect(await isOnHold(t.db, m.id)).toBe(true);
    expect((await listActiveLegalHolds(t.db)).map((h) => [h.upn, h.reason])).toEqual([
      ["hold@contoso.com", "litigation 42"],
    ]);

    const released = await releaseLegalHold(t.db, m.id, "counsel");
    expect(released?.released_by).toBe("counsel");
    expect(await releaseLegalHold(t.db, m.id, "counsel")).toBeUndefined();
    expect(await isOnHold(t.db, m.id)).toBe(false);
    expect(await listActiveLegalHolds(t.db)).toEqual([]);

    await placeLegalHold(t.db, { mailboxId: m.id, reason: "second matter", createdBy: "counsel" });
    expect((await listLegalHolds(t.db, m.id)).map((h) => h.reason)).toEqual([
      "second matter",
      "litigation 42",
    ]);
  });
});
