import { countFolderItems, getArchivedItem, getFolderTree, listFolderItems } from "@coffer/db/archive/index";
import { deprovisionMailbox } from "@coffer/db/mailboxes/mailboxes";
import type { MailboxRow } from "@coffer/db/schema";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { listMailboxAt } from "./list-mailbox";
import { resolveMailbox, syncMailbox } from "./sync-mailbox";
import { comparable, makeMessage, truthOf } from "./testing/compare";
import { startHarness, type THarness } from "./testing/harness";

const UPN = "history@contoso.example";
let h: THarness;
let mailbox: MailboxRow;

beforeAll(async () => {
  h = await startHarness();
  await h.ctl.createUser({ userPrincipalName: UPN, displayName: "History" });
  mailbox = await resolveMailbox(h.deps, UPN);
});
afterAll(async () => {
  await h?.close();
});

/** Syncs, then returns the simulator's truth and a time at which the archive must show exactly it. */
async function syncAndSnapshot() {
  const stats = await syncMailbox(h.deps, mailbox);
  const at = new Date();
  const truth = truthOf(await h.ctl.state(UPN));
  await new Promise((r) => setTimeout(r, 5)); // the next mutations happen strictly after `at`
  return { stats, at, truth };
}

describe("history across moves, folder renames/moves and deletions", () => {
  it("shows the mailbox as it was at each point in time", async () => {
    // Round 1: a few folders and messages.
    await h.ctl.createFolder(UPN, "Projects/Alpha");
    await h.ctl.createFolder(UPN, "Clients");
    const up = async (folder: string, subject: string) =>
      h.ctl.uploadMessage(UPN, makeMessage({ subject }), { folder });
    const m1 = await up("Inbox", "m1 moves to Clients");
    const m2 = await up("Inbox", "m2 is deleted");
    const m3 = await up("Projects", "m3 goes to Deleted Items");
    await up("Projects/Alpha", "m4 travels with its folder");
    const m5 = await up("Clients", "m5 is read later");
    const m6 = await up("Projects/Alpha", "m6 moves and comes back");
    const r1 = await syncAndSnapshot();
    expect(r1.stats.added).toBe(6);

    // Round 2: a message move, a hard and a soft delete, a folder rename, a folder move, a new folder,
    // a read flag, and a message that leaves and returns within the round.
    await h.ctl.moveMessage(UPN, m1.id, "Clients");
    await h.ctl.deleteMessage(UPN, m2.id);
    await h.ctl.deleteMessage(UPN, m3.id, { soft: true });
    await h.ctl.updateFolder(UPN, "Projects", { displayName: "Archive 2026" });
    await h.ctl.updateFolder(UPN, "Archive 2026/Alpha", { parentPath: "Clients" });
    await h.ctl.createFolder(UPN, "Later");
    const m7 = await up("Later", "m7 arrives in a new folder");
    await h.ctl.updateMessage(UPN, m5.id, { isRead: true });
    const back = await h.ctl.moveMessage(UPN, m6.id, "Inbox");
    await h.ctl.moveMessage(UPN, back.id, "Clients/Alpha");
    const r2 = await syncAndSnapshot();

    // Round 3: a folder deleted with its subfolder and messages.
    await h.ctl.deleteFolder(UPN, "Clients");
    const r3 = await syncAndSnapshot();
    expect(r3.stats.removed).toBeGreaterThanOrEqual(4);

    for (const r of [r1, r2, r3]) {
      expect(comparable(await listMailboxAt(h.db, mailbox.id, r.at))).toEqual(r.truth);
    }
    expect(comparable(await listMailboxAt(h.db, mailbox.id))).toEqual(r3.truth);

    // Full View keeps what is gone: the deleted folder and its messages, flagged.
    const full = await getFolderTree(h.db, mailbox.id, { fullView: true, withCounts: true });
    const clients = full.find((f) => f.path === "Clients");
    expect(clients?.isDeleted).toBe(true);
    const inFull = await listFolderItems(h.db, {
      mailboxId: mailbox.id,
      folderGraphId: clients!.graphId,
      fullView: true,
    });
    expect(inFull.items.map((i) => i.subject).sort()).toEqual(
      ["m1 moves to Clients", "m5 is read later"].sort(),
    );
    expect(new Set(inFull.items.map((i) => i.status))).toEqual(new Set(["deleted"]));

    // Inbox in Full View: m1 left for Clients (now deleted), m2 deleted, m6 passed through.
    const inbox = full.find((f) => f.path === "Inbox")!;
    const inboxFull = await listFolderItems(h.db, {
      mailboxId: mailbox.id,
      folderGraphId: inbox.graphId,
      fullView: true,
    });
    const status = Object.fromEntries(inboxFull.items.map((i) => [i.subject, i.status]));
    expect(status["m1 moves to Clients"]).toBe("deleted");
    expect(status["m2 is deleted"]).toBe("deleted");
    // At T2 m1 was in Clients: the Inbox's Full View at T2 shows it as moved.
    const inboxAtT2 = await listFolderItems(h.db, {
      mailboxId: mailbox.id,
      folderGraphId: inbox.graphId,
      fullView: true,
      at: r2.at,
    });
    expect(Object.fromEntries(inboxAtT2.items.map((i) => [i.subject, i.status]))["m1 moves to Clients"]).toBe(
      "moved",
    );
    expect(
      await countFolderItems(h.db, { mailboxId: mailbox.id, folderGraphId: inbox.graphId, at: r1.at }),
    ).toBe(2);

    // One item's history: m5 was read in round 2 (a new version), then deleted with its folder.
    const m5Item = await getArchivedItem(h.db, mailbox.id, m5.immutableId);
    expect(m5Item?.status).toBe("deleted");
    expect(m5Item?.versions.map((v) => v.isRead)).toEqual([false, true]);
    expect(m5Item?.versions.at(-1)?.validTo?.getTime()).toBeLessThanOrEqual(Date.now());
    const m7Item = await getArchivedItem(h.db, mailbox.id, m7.immutableId, { at: r1.at });
    expect(m7Item).toBeUndefined();
  });

  it("does not sync a de-provisioned mailbox (its archive stays as it is)", async () => {
    await h.ctl.uploadMessage(UPN, makeMessage({ subject: "after de-provisioning" }), { folder: "Inbox" });
    const before = await listMailboxAt(h.db, mailbox.id);
    await deprovisionMailbox(h.db, mailbox.id, "test");
    const result = await syncMailbox(h.deps, mailbox);
    expect(result.skippedReason).toBeTruthy();
    expect(result.requests).toBe(0);
    expect((await listMailboxAt(h.db, mailbox.id)).items).toEqual(before.items);
  });
});
