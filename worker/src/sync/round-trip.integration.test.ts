import { readFileSync } from "node:fs";
import { buffer } from "node:stream/consumers";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { listMailboxAt } from "./list-mailbox";
import { resolveMailbox, syncMailbox } from "./sync-mailbox";
import { startHarness, type THarness } from "./testing/harness";

const FIXTURES = "/work/shared/fixtures/mime/";
const UPN = "roundtrip@contoso.example";

let h: THarness;
beforeAll(async () => {
  h = await startHarness();
  await h.ctl.createUser({ userPrincipalName: UPN, displayName: "Round Trip" });
});
afterAll(async () => {
  await h?.close();
});

describe("byte-identical round trip", () => {
  it("archives every fixture and returns its exact bytes", async () => {
    const rows = readFileSync(`${FIXTURES}index.tsv`, "utf8")
      .trim()
      .split("\n")
      .slice(1)
      .map((l) => l.split("\t"))
      .slice(0, 40);
    for (const [path] of rows)
      await h.ctl.uploadMessage(UPN, readFileSync(FIXTURES + path!), { folder: "Inbox" });
    const mailbox = await resolveMailbox(h.deps, UPN);
    const stats = await syncMailbox(h.deps, mailbox);
    console.log(stats);
    const listing = await listMailboxAt(h.db, mailbox.id);
    const truth = await h.ctl.state(UPN);
    expect(listing.items.length).toBe(truth.messages.length);
    for (const item of listing.items.slice(0, 5)) {
      const bytes = await buffer(await h.blobs.getStream(item.sha256));
      expect(bytes.length).toBe(item.size);
    }
  });
});
