import { createHash, randomBytes } from "node:crypto";
import { readFileSync } from "node:fs";
import { buffer } from "node:stream/consumers";
import { getArchivedItem } from "@coffer/db/archive/index";
import type { MailboxRow } from "@coffer/db/schema";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { listMailboxAt } from "./list-mailbox";
import { resolveMailbox, syncMailbox } from "./sync-mailbox";
import { comparable, makeMessage, truthOf } from "./testing/compare";
import { mimeFixturesDir } from "./testing/fixtures";
import { startHarness, type THarness } from "./testing/harness";

const FIXTURES = mimeFixturesDir();
const UPN = "roundtrip@contoso.example";

type TFixture = { path: string; bytes: Buffer; sha256: string; tags: string[] };
const fixtures: TFixture[] = readFileSync(`${FIXTURES}index.tsv`, "utf8")
  .trim()
  .split("\n")
  .slice(1)
  .map((line) => {
    const [path, , sha256, tags] = line.split("\t") as [string, string, string, string];
    return { path, bytes: readFileSync(FIXTURES + path), sha256, tags: tags.split(",") };
  });

const sha = (b: Buffer) => createHash("sha256").update(b).digest("hex");

let h: THarness;
let mailbox: MailboxRow;
const uploaded = new Map<string, { bytes: Buffer; label: string }>();

beforeAll(async () => {
  h = await startHarness();
  await h.ctl.createUser({ userPrincipalName: UPN, displayName: "Round Trip" });
  await h.ctl.createFolder(UPN, "Fixtures");
  for (const f of fixtures) {
    const r = await h.ctl.uploadMessage(UPN, f.bytes, { folder: "Fixtures" });
    uploaded.set(r.immutableId, { bytes: f.bytes, label: f.path });
  }
  // Generated ones: plain, with attachments, one of 3 MB (streamed, not buffered), binary garbage, NULs,
  // a lone header line, and the same bytes twice (stored once).
  const generated: Array<[string, Buffer]> = [
    ["plain", makeMessage({ subject: "Grüße aus Köln", body: "Ünïcödé body ✓" })],
    [
      "attachment",
      makeMessage({ subject: "Report", attachment: { name: "q3.pdf", bytes: randomBytes(40_000) } }),
    ],
    [
      "large",
      makeMessage({ subject: "Big scan", attachment: { name: "scan.tif", bytes: randomBytes(3_000_000) } }),
    ],
    ["garbage", randomBytes(5000)],
    [
      "nul bytes",
      Buffer.from("Subject: nul\u0000here\r\nFrom: a@b\r\n\r\nbody\u0000\u0000 end\r\n", "latin1"),
    ],
    ["no separator", Buffer.from("X-Only: a header line without any body or blank line", "latin1")],
  ];
  for (const [label, bytes] of generated) {
    const r = await h.ctl.uploadMessage(UPN, bytes, { folder: "Inbox" });
    uploaded.set(r.immutableId, { bytes, label });
  }
  const twin = makeMessage({ subject: "sent to two folders" });
  for (const folder of ["Inbox", "Fixtures"]) {
    const r = await h.ctl.uploadMessage(UPN, twin, { folder });
    uploaded.set(r.immutableId, { bytes: twin, label: `twin in ${folder}` });
  }
  mailbox = await resolveMailbox(h.deps, UPN);
  await syncMailbox(h.deps, mailbox);
}, 180_000);

afterAll(async () => {
  await h?.close();
});

describe("byte-identical round trip", () => {
  it("archives every fixture and every generated message, and returns its exact bytes", async () => {
    const listing = await listMailboxAt(h.db, mailbox.id);
    expect(comparable(listing)).toEqual(truthOf(await h.ctl.state(UPN)));
    expect(listing.items.length).toBe(uploaded.size);
    for (const item of listing.items) {
      const original = uploaded.get(item.id);
      expect(original, item.id).toBeDefined();
      const back = await buffer(await h.blobs.getStream(item.sha256));
      expect({ label: original!.label, sha256: sha(back), size: back.length }).toEqual({
        label: original!.label,
        sha256: sha(original!.bytes),
        size: original!.bytes.length,
      });
    }
    // The fixtures' own index agrees.
    for (const f of fixtures) expect(sha(f.bytes)).toBe(f.sha256);
  });

  it("stores identical MIME once", async () => {
    const twins = [...uploaded.entries()].filter(([, u]) => u.label.startsWith("twin"));
    const items = await Promise.all(twins.map(([id]) => getArchivedItem(h.db, mailbox.id, id)));
    expect(new Set(items.map((i) => i!.sha256)).size).toBe(1);
    const rows = await h.db
      .selectFrom("blobs")
      .select("sha256")
      .where("sha256", "=", items[0]!.sha256)
      .execute();
    expect(rows).toHaveLength(1);
  });

  it("keeps malformed messages byte-exact and flags them instead of dropping them", async () => {
    const byLabel = new Map([...uploaded.entries()].map(([id, u]) => [u.label, id]));
    for (const label of ["garbage"]) {
      const item = await getArchivedItem(h.db, mailbox.id, byLabel.get(label)!);
      expect(item?.parseError, label).toBeTruthy();
      const back = await buffer(await h.blobs.getStream(item!.sha256));
      expect(back.equals(uploaded.get(byLabel.get(label)!)!.bytes)).toBe(true);
    }
    const nul = await getArchivedItem(h.db, mailbox.id, byLabel.get("nul bytes")!);
    expect(nul?.subject).toBe("nulhere");
    const flagged = await h.db
      .selectFrom("contents")
      .select(["sha256", "parse_error"])
      .where("parse_error", "is not", null)
      .execute();
    // Fixtures tagged malformed that mailparser tolerates are archived without a flag; the ones it cannot
    // read at all are flagged. Either way none is missing (first test).
    expect(flagged.length).toBeGreaterThanOrEqual(2);
  });

  it("extracts metadata for search and listing", async () => {
    const byLabel = new Map([...uploaded.entries()].map(([id, u]) => [u.label, id]));
    const att = await getArchivedItem(h.db, mailbox.id, byLabel.get("attachment")!);
    expect(att).toMatchObject({
      subject: "Report",
      hasAttachments: true,
      attachmentNames: ["q3.pdf"],
      parseError: null,
    });
    expect(att?.contentMeta.attachments).toEqual([
      { name: "q3.pdf", size: 40_000, contentType: "application/pdf", isInline: false },
    ]);
    const large = await getArchivedItem(h.db, mailbox.id, byLabel.get("large")!);
    expect(large).toMatchObject({ subject: "Big scan", attachmentNames: ["scan.tif"] });
    const plain = await getArchivedItem(h.db, mailbox.id, byLabel.get("plain")!);
    expect(plain).toMatchObject({
      subject: "Grüße aus Köln",
      fromAddress: "alice@example.com",
      toAddresses: ["bob@example.com"],
    });
    expect(plain?.bodyText).toContain("Ünïcödé body ✓");
  });

  it("a second sync of the unchanged mailbox fetches nothing and changes nothing", async () => {
    const stats = await syncMailbox(h.deps, mailbox);
    expect(stats).toMatchObject({ added: 0, changed: 0, removed: 0 });
    // The hierarchy plus one delta request per folder.
    expect(stats.requests).toBe(1 + stats.folders);
  });
});
