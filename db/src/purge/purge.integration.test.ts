import { spawn } from "node:child_process";
import { readdirSync } from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { sql } from "kysely";
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { insertBlobRow } from "../blobs/rows";
import { placeHold, releaseHold } from "../retention/holds";
import { applyPolicyChange } from "../retention/policy-change";
import {
  ageObjects,
  daysAgo,
  objectExists,
  seedContent,
  seedFolder,
  seedMailbox,
  seedVersion,
  type TSeedStore,
  tempBlobStore,
} from "../retention/testing/seed-archive";
import { createTestDatabase, type TestDatabase } from "../testing/test-database";
import { purgeExpired } from "./purge";

/**
 * The purge against a real PostgreSQL and a real filesystem blob store. Each test starts from an empty
 * archive in its own database and blob folder, builds the situation it needs with rows dated in the past,
 * and checks exact row sets and objects afterwards.
 */

const HOUR = 3_600_000;
const actor = { upn: "admin@contoso.example" };
let t: TestDatabase;
let s: TSeedStore;

beforeAll(async () => {
  t = await createTestDatabase("coffer_purge");
});
afterAll(async () => {
  await t?.drop();
});
beforeEach(async () => {
  s?.remove();
  s = tempBlobStore();
  await sql`TRUNCATE mailboxes, blobs, contents, item_versions, folder_versions, sync_cursors, legal_holds,
    audit_log, purge_runs, purge_blob_candidates, purge_pending_objects CASCADE`.execute(t.db);
  await sql`UPDATE retention_rules SET sync_enabled = true, retention_days = 2555`.execute(t.db);
});

async function setMail(rule: { syncEnabled?: boolean; retentionDays?: number }) {
  await applyPolicyChange(t.db, { rules: [{ dataType: "mail", ...rule }] }, { confirmed: true, actor });
}

async function versionIds(): Promise<string[]> {
  const rows = await t.db
    .selectFrom("item_versions as v")
    .innerJoin("mailboxes as m", "m.id", "v.mailbox_id")
    .select(["m.upn", "v.graph_id", "v.valid_to"])
    .orderBy("m.upn")
    .orderBy("v.graph_id")
    .orderBy("v.valid_from")
    .execute();
  return rows.map((r) => `${r.upn.split("@")[0]}/${r.graph_id}${r.valid_to ? "" : "*"}`);
}

/**
 * A: m1 received 40 d ago, moved 10 d ago (two versions); m2 received 5 d ago (shares its content with
 *    B's m5); m3 deleted 40 d ago; m4 received 100 d ago, deleted 5 d ago; a folder renamed 40 d ago.
 * B: m5 received 40 d ago (same content as A's m2).
 * H (held): m6 received 40 d ago (same content as A's m1).
 */
async function seedScenario(now: Date) {
  const a = await seedMailbox(t.db, "a@contoso.example");
  const b = await seedMailbox(t.db, "b@contoso.example");
  const h = await seedMailbox(t.db, "h@contoso.example");
  const c1 = await seedContent(t.db, s.store, "m1: budget 2026");
  const c2 = await seedContent(t.db, s.store, "m2: shared newsletter");
  const c3 = await seedContent(t.db, s.store, "m3: old deleted note");
  const c4 = await seedContent(t.db, s.store, "m4: ancient but deleted recently");
  await seedVersion(t.db, {
    mailboxId: a.id,
    graphId: "m1",
    content: c1,
    receivedAt: daysAgo(40, now),
    validFrom: daysAgo(40, now),
    validTo: daysAgo(10, now),
  });
  await seedVersion(t.db, {
    mailboxId: a.id,
    graphId: "m1",
    folder: "archive",
    content: c1,
    receivedAt: daysAgo(40, now),
    validFrom: daysAgo(10, now),
  });
  await seedVersion(t.db, { mailboxId: a.id, graphId: "m2", content: c2, validFrom: daysAgo(5, now) });
  await seedVersion(t.db, {
    mailboxId: a.id,
    graphId: "m3",
    content: c3,
    validFrom: daysAgo(50, now),
    validTo: daysAgo(40, now),
  });
  await seedVersion(t.db, {
    mailboxId: a.id,
    graphId: "m4",
    content: c4,
    receivedAt: daysAgo(100, now),
    validFrom: daysAgo(100, now),
    validTo: daysAgo(5, now),
  });
  await seedFolder(t.db, { mailboxId: a.id, graphId: "inbox", name: "Inbox", validFrom: daysAgo(60, now) });
  await seedFolder(t.db, {
    mailboxId: a.id,
    graphId: "projects",
    name: "Projects",
    validFrom: daysAgo(60, now),
    validTo: daysAgo(40, now),
  });
  await seedFolder(t.db, {
    mailboxId: a.id,
    graphId: "projects",
    name: "Projects 2026",
    validFrom: daysAgo(40, now),
  });
  await seedVersion(t.db, { mailboxId: b.id, graphId: "m5", content: c2, validFrom: daysAgo(40, now) });
  await seedVersion(t.db, { mailboxId: h.id, graphId: "m6", content: c1, validFrom: daysAgo(40, now) });
  await placeHold(t.db, { mailbox: "h@contoso.example", reason: "matter 7" }, { actor });
  await ageObjects(s, 2 * HOUR);
  return { a, b, h, c1, c2, c3, c4 };
}

describe("purge", () => {
  it("deletes what the 30-day rule no longer keeps, keeps shared content and never touches a held mailbox", async () => {
    const now = new Date();
    const x = await seedScenario(now);
    await setMail({ retentionDays: 30 });

    const report = await purgeExpired(t.db, s.backend, { dryRun: false, now, requestedBy: "test" });

    expect(await versionIds()).toEqual(["a/m2*", "a/m4", "h/m6*"]);
    const folders = await t.db
      .selectFrom("folder_versions")
      .select(["graph_id", "display_name"])
      .orderBy("id")
      .execute();
    expect(folders.map((f) => f.display_name)).toEqual(["Inbox", "Projects 2026"]);
    expect(report.types.find((r) => r.dataType === "mail")).toMatchObject({
      versions: 4, // m1 (both versions), m3, m5
      items: 3,
      folders: 1,
      mailboxes: 2,
      heldMailboxes: 1,
      heldVersions: 1,
    });
    // c3 was only m3's: gone, row and object. c1 is still H's (held), c2 still A's m2, c4 m4's.
    expect(report.blobs.rows).toBe(1);
    expect(report.objects.removed).toBe(1);
    expect(report.objects.bytes).toBeGreaterThan(0);
    expect(await objectExists(s, x.c3.sha256)).toBe(false);
    for (const c of [x.c1, x.c2, x.c4]) expect(await objectExists(s, c.sha256)).toBe(true);
    const blobs = await t.db.selectFrom("blobs").select("sha256").execute();
    expect(blobs.map((b) => b.sha256).sort()).toEqual([x.c1.sha256, x.c2.sha256, x.c4.sha256].sort());
    const contents = await t.db.selectFrom("contents").select("sha256").execute();
    expect(contents.length).toBe(3);
    const run = await t.db.selectFrom("purge_runs").selectAll().executeTakeFirstOrThrow();
    expect(run).toMatchObject({ status: "completed", phase: "done", requested_by: "test" });
    const audit = await t.db
      .selectFrom("audit_log")
      .select(["action", "actor_upn"])
      .where("action", "=", "retention.purge")
      .execute();
    expect(audit).toEqual([{ action: "retention.purge", actor_upn: "test" }]);

    // Idempotent: a second run finds nothing.
    const again = await purgeExpired(t.db, s.backend, { dryRun: false, now });
    expect(again.history.versions + again.blobs.rows + again.objects.removed).toBe(0);

    // Releasing the hold lets the next purge catch up; c1 goes with H's m6, its last reference.
    const released = await releaseHold(t.db, { mailbox: "h@contoso.example" }, { actor, now });
    expect(released.dueForPurge.versions).toBe(1);
    const after = await purgeExpired(t.db, s.backend, { dryRun: false, now });
    expect(after.history.versions).toBe(1);
    expect(await versionIds()).toEqual(["a/m2*", "a/m4"]);
    expect(await objectExists(s, x.c1.sha256)).toBe(false);
  });

  it("dry run reports what an applied run deletes, and changes nothing", async () => {
    const now = new Date();
    await seedScenario(now);
    await setMail({ retentionDays: 30 });
    const snapshot = async () => ({
      versions: await versionIds(),
      tables: await sql<{ t: string; n: number }>`
        SELECT 'blobs' AS t, count(*)::bigint AS n FROM blobs UNION ALL SELECT 'contents', count(*) FROM contents
        UNION ALL SELECT 'folders', count(*) FROM folder_versions UNION ALL SELECT 'audit', count(*) FROM audit_log
        UNION ALL SELECT 'runs', count(*) FROM purge_runs UNION ALL SELECT 'cand', count(*) FROM purge_blob_candidates
        UNION ALL SELECT 'pending', count(*) FROM purge_pending_objects`.execute(t.db),
      files: listFiles(s.dir),
    });
    const before = await snapshot();
    const dry = await purgeExpired(t.db, s.backend, { dryRun: true, now });
    expect(await snapshot()).toEqual(before);

    const applied = await purgeExpired(t.db, s.backend, { dryRun: false, now });
    expect(dry.dryRun).toBe(true);
    expect(dry.runId).toBeNull();
    expect(dry.history).toEqual({ ...applied.history, cursorsReset: 0 });
    expect(dry.held).toEqual(applied.held);
    expect(dry.blobs.rows).toBe(applied.blobs.rows);
    expect(dry.blobs.storedBytes).toBe(applied.blobs.storedBytes);
    expect(dry.objects.removed).toBe(applied.objects.removed);
  });

  it("turning a type off deletes all of it and its sync cursors, except in held mailboxes", async () => {
    const now = new Date();
    const x = await seedScenario(now);
    const cal = await seedContent(t.db, s.store, "BEGIN:VEVENT…", "calendar");
    await seedVersion(t.db, {
      mailboxId: x.a.id,
      dataType: "calendar",
      graphId: "e1",
      content: cal,
      validFrom: daysAgo(1, now),
    });
    for (const m of [x.a, x.b, x.h]) {
      await t.db
        .insertInto("sync_cursors")
        .values({
          mailbox_id: m.id,
          data_type: "mail",
          scope: "folders",
          delta_link: "https://graph/delta?x",
        })
        .execute();
    }
    await setMail({ syncEnabled: false });
    // Applying the change already forgot the cursors of mailboxes that are not held.
    const cursors = await t.db.selectFrom("sync_cursors").select("mailbox_id").execute();
    expect(cursors.map((c) => c.mailbox_id)).toEqual([x.h.id]);

    const report = await purgeExpired(t.db, s.backend, {
      dryRun: false,
      now: new Date(now.getTime() + 1000),
    });
    expect(await versionIds()).toEqual(["a/e1*", "h/m6*"]);
    expect(await t.db.selectFrom("folder_versions").select("id").execute()).toEqual([]);
    expect(report.types.find((r) => r.dataType === "mail")).toMatchObject({ versions: 6, heldMailboxes: 1 });
    expect(report.types.find((r) => r.dataType === "calendar")?.versions).toBe(0);
    // Content still referenced stays: c1 by H, the calendar item's own.
    expect(await objectExists(s, x.c1.sha256)).toBe(true);
    expect(await objectExists(s, cal.sha256)).toBe(true);
    for (const c of [x.c2, x.c3, x.c4]) expect(await objectExists(s, c.sha256)).toBe(false);
  });

  it("keeps an object a sync reuses while the purge removes it, and lets the sync's rows revive it", async () => {
    const now = new Date();
    const m = await seedMailbox(t.db, "race@contoso.example");
    const bytes = "the same newsletter, delivered again";
    const c = await seedContent(t.db, s.store, bytes);
    await seedVersion(t.db, {
      mailboxId: m.id,
      graphId: "old",
      content: c,
      validFrom: daysAgo(40, now),
      validTo: daysAgo(35, now),
    });
    await ageObjects(s, 2 * HOUR);
    await setMail({ retentionDays: 30 });

    // The moment the purge is about to remove the object, a sync of another mailbox stores the same
    // content: the blob store finds the object and touches it, and the sync has not committed yet.
    let reused: Awaited<ReturnType<typeof s.store.putBuffer>> | undefined;
    const report = await purgeExpired(t.db, s.backend, {
      dryRun: false,
      now,
      reaperHooks: {
        beforeRemove: async () => {
          reused ??= await s.store.putBuffer(Buffer.from(bytes));
        },
      },
    });
    expect(reused?.isNew).toBe(false);
    expect(report.blobs.rows).toBe(1);
    expect(report.objects).toMatchObject({ removed: 0, deferred: 1 });
    expect(await objectExists(s, c.sha256)).toBe(true);

    // The sync commits its page: the blob row again, and a version referencing it.
    await insertBlobRow(t.db, reused!);
    await seedVersion(t.db, { mailboxId: m.id, graphId: "new", content: c, validFrom: now });
    await ageObjects(s, 2 * HOUR); // long after, the object is old again: only its row keeps it now
    const next = await purgeExpired(t.db, s.backend, { dryRun: false, now: new Date(now.getTime() + 1000) });
    expect(next.objects).toMatchObject({ removed: 0, revived: 1 });
    expect((await s.store.readBuffer(c.sha256)).toString()).toBe(bytes);
    expect(await t.db.selectFrom("purge_pending_objects").select("sha256").execute()).toEqual([]);
  });

  it("deletes the blobs of a version's parts (task attachments) with the version", async () => {
    const now = new Date();
    const m = await seedMailbox(t.db, "todo@contoso.example");
    const task = await seedContent(t.db, s.store, '{"title":"file the report"}', "tasks");
    const file = await seedContent(t.db, s.store, "%PDF-1.7 the report");
    const id = await seedVersion(t.db, {
      mailboxId: m.id,
      dataType: "tasks",
      graphId: "t1",
      content: task,
      validFrom: daysAgo(9, now),
      validTo: daysAgo(8, now),
    });
    await sql`INSERT INTO item_parts (item_version_id, part_id, kind, size, sha256)
      VALUES (${id}, 'a1', 'attachment', ${file.size}, ${file.sha256})`.execute(t.db);
    await ageObjects(s, 2 * HOUR);
    await applyPolicyChange(
      t.db,
      { rules: [{ dataType: "tasks", retentionDays: 7 }] },
      { confirmed: true, actor },
    );

    const report = await purgeExpired(t.db, s.backend, { dryRun: false, now, sweep: false });
    expect(report.history.versions).toBe(1);
    expect(report.blobs.rows).toBe(2);
    expect(await objectExists(s, file.sha256)).toBe(false);
    expect(await objectExists(s, task.sha256)).toBe(false);
  });

  it("removes orphan objects only after the grace period", async () => {
    const old = await s.store.putBuffer(Buffer.from("written by a page that rolled back, long ago"));
    await ageObjects(s, 2 * HOUR);
    const fresh = await s.store.putBuffer(Buffer.from("written by a page that is committing right now"));
    const report = await purgeExpired(t.db, s.backend, { dryRun: false });
    expect(report.objects.orphans).toBe(1);
    expect(await objectExists(s, old.sha256)).toBe(false);
    expect(await objectExists(s, fresh.sha256)).toBe(true);
  });

  it("resumes after being killed in the history phase and while an object is moved aside", async () => {
    const now = new Date();
    const m = await seedMailbox(t.db, "kill@contoso.example");
    const keep = await seedMailbox(t.db, "keep@contoso.example");
    const expired: string[] = [];
    for (let i = 0; i < 12; i++) {
      const c = await seedContent(t.db, s.store, `expired message ${i}`);
      expired.push(c.sha256);
      await seedVersion(t.db, {
        mailboxId: m.id,
        graphId: `x${i}`,
        content: c,
        validFrom: daysAgo(40 + i, now),
      });
    }
    const kept = await seedContent(t.db, s.store, "recent message");
    await seedVersion(t.db, { mailboxId: keep.id, graphId: "r", content: kept, validFrom: daysAgo(1, now) });
    await ageObjects(s, 2 * HOUR);
    await setMail({ retentionDays: 30 });

    // Killed (SIGKILL) after the second history batch of 3 versions.
    expect(await killedRun({ killAt: "history:2", batchSize: 3 })).toBe("SIGKILL");
    expect((await versionIds()).length).toBe(7);
    expect(await t.db.selectFrom("purge_runs").select("status").execute()).toEqual([{ status: "running" }]);

    // Killed again while the first object is moved aside: its rows are gone, the object is in purge-aside/.
    expect(await killedRun({ killAt: "aside:1", batchSize: 3 })).toBe("SIGKILL");
    expect(listFiles(path.join(s.dir, "purge-aside")).length).toBe(1);

    const report = await purgeExpired(t.db, s.backend, { dryRun: false, batchSize: 3 });
    // Each run marks the one killed before it; this one found the second.
    expect(report.resumed.length).toBe(1);
    expect(await versionIds()).toEqual(["keep/r*"]);
    for (const sha of expired) expect(await objectExists(s, sha)).toBe(false);
    expect(await objectExists(s, kept.sha256)).toBe(true);
    expect(listFiles(path.join(s.dir, "purge-aside"))).toEqual([]);
    expect((await t.db.selectFrom("blobs").select("sha256").execute()).map((b) => b.sha256)).toEqual([
      kept.sha256,
    ]);
    const runs = await t.db.selectFrom("purge_runs").select("status").orderBy("started_at").execute();
    expect(runs.map((r) => r.status)).toEqual(["interrupted", "interrupted", "completed"]);
    expect(await t.db.selectFrom("purge_blob_candidates").select("sha256").execute()).toEqual([]);
    expect(await t.db.selectFrom("purge_pending_objects").select("sha256").execute()).toEqual([]);
  });
});

/** Runs a purge in a child process that kills itself (SIGKILL) at the given step; resolves to its signal. */
function killedRun(args: { killAt: string; batchSize: number }): Promise<NodeJS.Signals | null> {
  const script = fileURLToPath(new URL("./testing/kill-mid-purge.ts", import.meta.url));
  // The environment is inherited; the child gets its database and blob folder as arguments.
  const child = spawn(
    process.execPath,
    ["--import", "tsx", script, t.url, s.dir, args.killAt, String(args.batchSize)],
    { stdio: ["ignore", "inherit", "inherit"] },
  );
  return new Promise((resolve, reject) => {
    child.on("error", reject);
    child.on("exit", (_code, signal) => resolve(signal));
  });
}

function listFiles(dir: string): string[] {
  try {
    return readdirSync(dir, { recursive: true, withFileTypes: true })
      .filter((e) => e.isFile())
      .map((e) => path.join(e.parentPath, e.name))
      .sort();
  } catch {
    return [];
  }
}
