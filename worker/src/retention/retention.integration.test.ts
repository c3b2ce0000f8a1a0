import { spawn } from "node:child_process";
import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { listMailboxes } from "@coffer/db/mailboxes/mailboxes";
import { listHolds } from "@coffer/db/retention/holds";
import { getDefaultRules } from "@coffer/db/retention/policy-change";
import { createTestDatabase, type TestDatabase } from "@coffer/db/testing/test-database";
import { isolatedEnv } from "@coffer/test/setup/processes";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { listMailboxAt } from "../sync/list-mailbox";
import { resolveMailbox, syncMailbox } from "../sync/sync-mailbox";
import { syncTenant } from "../sync/sync-tenant";
import { startHarness, type THarness } from "../sync/testing/harness";
import type { TSyncDeps } from "../sync/types";
import { applyPolicyChangeAndPurge } from "./apply-policy";

/**
 * Retention against a real sync: the simulator's mailboxes are archived by the mail engine, then the
 * policy changes, the purge, legal holds and de-provisioning act on that archive — through the functions
 * and through the real `coffer` binary. Own database (policy changes and purges touch the whole archive).
 */

const HERE = path.dirname(fileURLToPath(import.meta.url));
const BIN = path.resolve(HERE, "../../bin/coffer.js");
const REPO = path.resolve(HERE, "../../..");
const OLD = "old.mail@contoso.example";
const LEAVER = "leaver@contoso.example";
const STAYER = "stayer@contoso.example";
const actor = { upn: "admin@contoso.example" };
const DAY = 86_400_000;

let h: THarness;
let t: TestDatabase;
let deps: TSyncDeps;

function mime(subject: string, date: Date): string {
  return [
    "From: Sender <sender@fabrikam.example>",
    `To: ${OLD}`,
    `Subject: ${subject}`,
    `Date: ${date.toUTCString()}`,
    `Message-ID: <${subject.replace(/\W+/g, ".")}@fabrikam.example>`,
    "MIME-Version: 1.0",
    "Content-Type: text/plain; charset=utf-8",
    "",
    `Body of ${subject}.`,
    "",
  ].join("\r\n");
}

function coffer(args: string[]): Promise<{ code: number | null; stdout: string; stderr: string }> {
  const child = spawn(process.execPath, [BIN, ...args], {
    cwd: REPO,
    env: {
      ...isolatedEnv({ ...h.childEnv(), DATABASE_URL: t.url }),
      COFFER_HOME: mkdtempSync(path.join(tmpdir(), "coffer-home-")),
    },
    stdio: ["ignore", "pipe", "pipe"],
  });
  let stdout = "";
  let stderr = "";
  child.stdout.on("data", (c: Buffer) => {
    stdout += c.toString("utf8");
  });
  child.stderr.on("data", (c: Buffer) => {
    stderr += c.toString("utf8");
  });
  return new Promise((resolve) => child.on("close", (code) => resolve({ code, stdout, stderr })));
}

beforeAll(async () => {
  [h, t] = await Promise.all([startHarness(), createTestDatabase("coffer_retention")]);
  deps = { ...h.deps, db: t.db };
  for (const upn of [OLD, LEAVER, STAYER])
    await h.ctl.createUser({ userPrincipalName: upn, displayName: upn });
  const now = Date.now();
  for (let i = 0; i < 3; i++) {
    const at = new Date(now - (3 + i) * DAY);
    await h.ctl.uploadMessage(OLD, mime(`old ${i}`, at), { folder: "Inbox", receivedDateTime: at });
  }
  for (let i = 0; i < 2; i++) {
    const at = new Date(now - i * 60_000);
    await h.ctl.uploadMessage(OLD, mime(`new ${i}`, at), { folder: "Inbox", receivedDateTime: at });
  }
  for (const upn of [LEAVER, STAYER])
    await h.ctl.uploadMessage(upn, mime(`hello ${upn}`, new Date()), { folder: "Inbox" });
});
afterAll(async () => {
  await h?.close();
  await t?.drop();
});

describe("retention on a synced archive", () => {
  it("1 day keeps only the last day's mail; off deletes it all; on again starts a full sync", async () => {
    const mailbox = await resolveMailbox(deps, OLD);
    const first = await syncMailbox(deps, mailbox, { recentDays: 0 });
    expect(first.added).toBe(5);

    const one = await applyPolicyChangeAndPurge(
      deps,
      { rules: [{ dataType: "mail", retentionDays: 1 }] },
      { actor, isPurging: true },
    );
    expect(one.result.preview.changes[0]).toMatchObject({
      kind: "shorter",
      toDelete: { items: 3, versions: 3 },
    });
    expect(one.result.purge).toBe("requested");
    expect(one.purge?.history).toMatchObject({ items: 3, versions: 3 });
    // Their rows go now; their objects were written moments ago by the sync, so they stay queued until
    // unused for the grace period (a later run removes them).
    expect(one.purge?.blobs.rows).toBe(3);
    expect(one.purge?.objects).toMatchObject({ removed: 0, deferred: 3 });
    const kept = await listMailboxAt(t.db, mailbox.id);
    expect(kept.items.map((i) => i.internetMessageId).sort()).toEqual([
      "<new.0@fabrikam.example>",
      "<new.1@fabrikam.example>",
    ]);
    // The remaining content reads back byte for byte.
    for (const item of kept.items) expect((await h.blobs.readBuffer(item.sha256)).length).toBe(item.size);

    const off = await applyPolicyChangeAndPurge(
      deps,
      { rules: [{ dataType: "mail", syncEnabled: false }] },
      { actor, isPurging: true },
    );
    expect(off.result.preview.changes[0]!.kind).toBe("sync_off");
    expect((await listMailboxAt(t.db, mailbox.id)).items).toEqual([]);
    expect(
      await t.db.selectFrom("folder_versions").select("id").where("mailbox_id", "=", mailbox.id).execute(),
    ).toEqual([]);
    expect(
      await t.db.selectFrom("sync_cursors").select("scope").where("mailbox_id", "=", mailbox.id).execute(),
    ).toEqual([]);
    expect(await t.db.selectFrom("blobs").select("sha256").execute()).toEqual([]);

    const on = await applyPolicyChangeAndPurge(
      deps,
      { rules: [{ dataType: "mail", syncEnabled: true, retentionDays: 2555 }] },
      { actor, isPurging: true },
    );
    expect(on.result.preview.changes[0]!.kind).toBe("sync_on");
    const again = await syncMailbox(deps, mailbox, { recentDays: 0 });
    // A full sync: every message of the mailbox is archived again, the old ones included.
    expect(again.added).toBe(5);
    expect((await listMailboxAt(t.db, mailbox.id)).items.length).toBe(5);
    expect(await getDefaultRules(t.db)).toMatchObject({ mail: { syncEnabled: true, retentionDays: 2555 } });
  });

  it("a de-provisioned mailbox is skipped by the sync and stays readable; --undo brings it back", async () => {
    const first = await syncTenant(deps, { recentDays: 0 });
    expect(first.mailboxes.map((m) => m.upn).sort()).toEqual([LEAVER, OLD, STAYER]);
    const leaver = await resolveMailbox(deps, LEAVER);

    const out = await coffer(["deprovision", LEAVER, "--reason", "left", "--by", actor.upn, "--json"]);
    expect(out.code).toBe(0);
    expect(JSON.parse(out.stdout)).toMatchObject({ ok: true, mailbox: { isDeprovisioned: true } });

    await h.ctl.uploadMessage(LEAVER, mime("after leaving", new Date()), { folder: "Inbox" });
    const second = await syncTenant(deps, { recentDays: 0 });
    expect(second.mailboxes.map((m) => m.upn).sort()).toEqual([OLD, STAYER]);
    const archived = await listMailboxAt(t.db, leaver.id);
    expect(archived.items.map((i) => i.internetMessageId)).toEqual([
      `<hello.${LEAVER.replace(/\W+/g, ".")}@fabrikam.example>`,
    ]);
    expect((await listMailboxes(t.db, { search: "leaver" })).length).toBe(0);
    expect(
      (await listMailboxes(t.db, { search: "leaver", includeDeactivated: true })).map((m) => m.upn),
    ).toEqual([LEAVER]);

    const undo = await coffer(["deprovision", LEAVER, "--undo"]);
    expect(undo.stdout).toBe(
      "leaver@contoso.example is provisioned again: its next sync continues its archive.\n",
    );
    const third = await syncTenant(deps, { recentDays: 0 });
    expect(third.mailboxes.find((m) => m.upn === LEAVER)?.stats?.added).toBe(1);
  });

  it("coffer hold, policy and purge: holds keep data, invalid values change nothing, dry run changes nothing", async () => {
    const place = await coffer([
      "hold",
      "place",
      OLD,
      "--reason",
      "Matter 2026-17",
      "--by",
      "counsel@contoso.example",
    ]);
    expect(place).toMatchObject({
      code: 0,
      stdout: `${OLD} is on legal hold: nothing of its archive is deleted until the hold is released.\n`,
    });
    expect((await listHolds(t.db)).map((x) => [x.upn, x.reason, x.placedBy])).toEqual([
      [OLD, "Matter 2026-17", "counsel@contoso.example"],
    ]);

    const bad = await coffer(["policy", "set", "mail", "--days", "36136", "--yes"]);
    expect(bad.code).toBe(2);
    expect(bad.stderr).toBe("Mail: Retention can be at most 36,135 days, 99 years (36,136 was given).\n");
    expect((await getDefaultRules(t.db)).mail.retentionDays).toBe(2555);

    const saved = await coffer([
      "policy",
      "set",
      "mail",
      "--days",
      "1",
      "--yes",
      "--by",
      actor.upn,
      "--json",
    ]);
    const result = JSON.parse(saved.stdout);
    // All that the rule no longer keeps is under the hold: nothing to purge now.
    expect(result).toMatchObject({ ok: true, applied: true, purge: "not_needed", purgeReport: null });
    expect(result.preview.changes[0]).toMatchObject({
      toDelete: { versions: 0 },
      protectedByHold: { versions: 3 },
    });
    const oldBox = await resolveMailbox(deps, OLD);
    expect((await listMailboxAt(t.db, oldBox.id)).items.length).toBe(5);

    const before = await t.db.selectFrom("item_versions").select("id").orderBy("id").execute();
    const dry = await coffer(["purge", "--dry-run", "--json"]);
    expect(JSON.parse(dry.stdout)).toMatchObject({
      ok: true,
      dryRun: true,
      held: { mailboxes: 1, versions: 3 },
    });
    expect(await t.db.selectFrom("item_versions").select("id").orderBy("id").execute()).toEqual(before);

    const release = await coffer(["hold", "release", OLD]);
    expect(release.stdout).toMatch(
      /The next purge deletes what the retention rules no longer keep: 3 items \(3 versions\)\./,
    );
    const applied = await coffer(["purge", "--apply"]);
    expect(applied.code).toBe(0);
    expect(applied.stdout).toMatch(
      /^Mail \(kept 1 day, policy Default\): deleted 3 items \(3 versions, 0 folder versions\) from 1 mailboxes\.$/m,
    );
    expect((await listMailboxAt(t.db, oldBox.id)).items.length).toBe(2);
    const actions = await t.db.selectFrom("audit_log").select("action").orderBy("id").execute();
    expect(actions.map((a) => a.action)).toEqual(
      expect.arrayContaining([
        "legal_hold.place",
        "legal_hold.release",
        "retention.policy.update",
        "retention.purge",
        "mailbox.deprovision",
        "mailbox.reprovision",
      ]),
    );
  });
});
