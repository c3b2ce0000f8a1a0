import { randomInt } from "node:crypto";
import { archiveIntegrity } from "@coffer/db/archive/index";
import type { MailboxRow } from "@coffer/db/schema";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { resolveMailbox } from "./sync-mailbox";
import { runCoffer } from "./testing/coffer-process";
import { truthOf } from "./testing/compare";
import { startHarness, type THarness } from "./testing/harness";

const UPN = "crash@contoso.example";
let h: THarness;
let mailbox: MailboxRow;

beforeAll(async () => {
  h = await startHarness();
  await h.ctl.createUser({ userPrincipalName: UPN, displayName: "Crash Test" });
  await h.ctl.largeMailbox(UPN, { seed: 7, messages: 300 });
  // A little latency so a run lasts long enough to be killed at many different points.
  await h.ctl.setFaults({ throttle: false, latencyMs: 2 });
  mailbox = await resolveMailbox(h.deps, UPN);
}, 120_000);

afterAll(async () => {
  await h?.close();
});

async function requestsSoFar(): Promise<number> {
  return (await h.ctl.stats()).mailboxes[UPN]?.requests ?? 0;
}

describe("SIGKILL anywhere, then re-run", () => {
  it("loses nothing and duplicates nothing", async () => {
    let moved = 0;
    let deleted = 0;
    for (let kill = 1; kill <= 3; kill++) {
      const before = await requestsSoFar();
      const run = runCoffer(["sync", UPN, "--wait"], h.childEnv());
      // Kill after a random number of Graph requests of this run: during the hierarchy, in the middle of
      // a page's downloads, or around a page commit.
      const after = randomInt(3, 200);
      for (;;) {
        if ((await requestsSoFar()) - before >= after) break;
        const exited = await Promise.race([
          run.done.then(() => true),
          new Promise((r) => setTimeout(() => r(false), 20)),
        ]);
        if (exited) break;
      }
      run.child.kill("SIGKILL");
      const result = await run.done;
      expect(result.signal === "SIGKILL" || result.code === 0, result.stderr).toBe(true);

      if (kill === 2) {
        // The mailbox changes while the archive is half done: moves and deletions of messages that may
        // or may not have been archived yet.
        const state = await h.ctl.state(UPN);
        for (const m of state.messages.filter((_, i) => i % 97 === 0)) {
          await h.ctl.moveMessage(UPN, m.id, "Archive");
          moved++;
        }
        const fresh = (await h.ctl.state(UPN)).messages.filter((m) => m.folderPath !== "Archive");
        for (const m of fresh.filter((_, i) => i % 89 === 1)) {
          await h.ctl.deleteMessage(UPN, m.id);
          deleted++;
        }
      }
    }

    const final = runCoffer(["sync", UPN, "--wait", "--json"], h.childEnv());
    const result = await final.done;
    expect(result.code, result.stderr).toBe(0);

    // Every message present, exactly as Graph has it.
    const ls = runCoffer(["ls", UPN, "--json"], h.childEnv());
    const listed = await ls.done;
    expect(listed.code, listed.stderr).toBe(0);
    const listing = JSON.parse(listed.stdout.toString("utf8"));
    const truth = truthOf(await h.ctl.state(UPN));
    expect({ folders: listing.folders, items: listing.items }).toEqual(truth);

    // Nothing duplicated: one current row per message, and only the history the changes explain
    // (at most one closed row per moved or deleted message: one deleted before it was first archived leaves
    // none). No empty versions, no rows without content, no seen-sets or half-done cursors left behind.
    const integrity = await archiveIntegrity(h.db, mailbox.id);
    expect(integrity).toMatchObject({
      currentItems: truth.items.length,
      emptyVersions: 0,
      versionsWithoutContent: 0,
      seenLeft: 0,
      unfinishedCursors: 0,
    });
    expect(integrity.closedItems).toBeLessThanOrEqual(moved + deleted);
    expect(integrity.maxVersionsPerItem).toBeLessThanOrEqual(2);
    // Every blob this mailbox's history points at is on storage. (Other test files share the run's
    // database but not this harness's blob folder, so only this mailbox's blobs can be checked here.)
    const blobs = await h.db
      .selectFrom("blobs")
      .innerJoin("item_versions", "item_versions.sha256", "blobs.sha256")
      .where("item_versions.mailbox_id", "=", mailbox.id)
      .select("blobs.storage_key")
      .distinct()
      .execute();
    expect(blobs.length).toBeGreaterThan(0);
    for (const b of blobs) expect(await h.blobs.backend.exists(b.storage_key)).toBe(true);

    // And the CLI gives the original bytes back.
    const one = truth.items[randomInt(truth.items.length)]!;
    const cat = await runCoffer(["cat", UPN, one.id], h.childEnv()).done;
    expect(cat.code, cat.stderr).toBe(0);
    expect(cat.stdout.length).toBe(one.size);
    expect((await import("node:crypto")).createHash("sha256").update(cat.stdout).digest("hex")).toBe(
      one.sha256,
    );
  }, 240_000);
});
