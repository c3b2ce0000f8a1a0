import { createHash, randomUUID } from "node:crypto";
import { testDatabaseUrl } from "@coffer/test/setup/integration";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createDb, type Db } from "../client";
import { upsertMailbox } from "../mailboxes/mailboxes";
import { getFolderTree } from "./read-folders";
import { listFolderItems, type TItemSort, type TSortDirection } from "./read-items";
import { searchArchive } from "./search";
import { beginMailboxRun } from "./sync-state";
import { commitFolderPage } from "./write-folders";
import { commitItemPage, loadItemStates, type TContentInsert, type TItemVersionInsert } from "./write-items";

/**
 * The portal's reads over an archive written through the sync engine's own write path (commitFolderPage /
 * commitItemPage), without Graph: keyset pagination in every order, points in time, and search filters.
 */
let db: Db;
let mailboxId: string;
let t1: Date;
let t2: Date;

type TSpec = {
  id: string;
  folder: string;
  subject: string;
  from: string;
  fromName: string;
  to: string[];
  body: string;
  attachments: string[];
  receivedAt: Date;
  size: number;
};
const specs: TSpec[] = [];
const sha = (s: string) => createHash("sha256").update(s).digest("hex");

function contentOf(s: TSpec): TContentInsert {
  return {
    sha256: sha(s.id),
    dataType: "mail",
    title: s.subject,
    internetMessageId: `<${s.id}@test>`,
    conversationId: null,
    fromAddress: s.from,
    fromName: s.fromName,
    toAddresses: s.to,
    ccAddresses: [],
    bccAddresses: [],
    sentAt: s.receivedAt,
    hasAttachments: s.attachments.length > 0,
    attachmentNames: s.attachments,
    bodyText: s.body,
    meta: { recipientNames: "" },
    parseError: null,
    recipientNames: "",
  };
}

function versionOf(s: TSpec, folder = s.folder): TItemVersionInsert {
  return {
    graphId: s.id,
    folderGraphId: folder,
    sha256: sha(s.id),
    changeKey: "ck1",
    size: s.size,
    receivedAt: s.receivedAt,
    isRead: false,
    categories: [],
    meta: {},
    sortSubject: s.subject.toLowerCase(),
    sortSender: s.fromName.toLowerCase(),
  };
}

const cursor = (scope: string) => ({
  scope,
  phase: "full" as const,
  nextLink: null,
  deltaLink: "x",
  isReconciling: false,
});

beforeAll(async () => {
  db = createDb(testDatabaseUrl(), 4);
  const m = await upsertMailbox(db, {
    entraId: randomUUID(),
    upn: `reads-${randomUUID()}@contoso.example`,
    displayName: "Reads",
    mail: null,
    kind: "user",
    accountEnabled: true,
    licensed: true,
    hasMailbox: true,
  });
  mailboxId = m.id;
  const names = ["Alice Able", "Bob Baker", "Carol Cole", "Dan Drake"];
  for (let i = 0; i < 130; i++) {
    const who = names[i % 4]!;
    specs.push({
      id: `msg-${String(i).padStart(3, "0")}`,
      folder: i < 120 ? "F-INBOX" : "F-PROJ",
      subject: i % 10 === 0 ? `Quarterly budget review ${i}` : `Status update ${i % 7}`,
      from: `${who.split(" ")[0]!.toLowerCase()}@example.com`,
      fromName: who,
      to: i % 3 === 0 ? ["team@example.com"] : ["erin@example.com"],
      body:
        i % 5 === 0
          ? `Please review the attached invoice number ${i}. The pangolin is ready.`
          : "Nothing to see.",
      attachments: i % 5 === 0 ? [`invoice-${i}.pdf`] : [],
      // Several messages share a timestamp: pagination must break ties.
      receivedAt: new Date(Date.UTC(2026, 0, 1) + Math.floor(i / 3) * 3_600_000),
      size: 1000 + ((i * 37) % 50) * 10,
    });
  }
  t1 = await beginMailboxRun(db, mailboxId, "mail");
  await commitFolderPage(db, {
    mailboxId,
    dataType: "mail",
    observedAt: t1,
    closeVersionIds: [],
    inserts: [
      { graphId: "F-INBOX", parentGraphId: "ROOT", displayName: "Inbox", isHidden: false },
      { graphId: "F-PROJ", parentGraphId: "F-INBOX", displayName: "Projects", isHidden: false },
    ],
    removedFolders: [],
    seen: [],
    cursor: cursor("folders"),
    completeReconciliation: false,
  });
  for (const folder of ["F-INBOX", "F-PROJ"]) {
    const mine = specs.filter((s) => s.folder === folder);
    await commitItemPage(db, {
      mailboxId,
      dataType: "mail",
      observedAt: t1,
      blobs: mine.map((s) => ({
        sha256: sha(s.id),
        size: s.size,
        storedSize: s.size,
        storageKey: `k/${s.id}`,
        keyId: "k1",
        isNew: true,
      })),
      contents: mine.map(contentOf),
      closeVersionIds: [],
      inserts: mine.map((s) => versionOf(s)),
      changeKeyUpdates: [],
      seen: [],
      skips: [],
      cursor: cursor(folder),
      completeReconciliation: false,
    });
  }
  // Second run: msg-000 moves to Projects, msg-005 is deleted.
  t2 = await beginMailboxRun(db, mailboxId, "mail");
  const states = await loadItemStates(db, mailboxId, "mail", ["msg-000", "msg-005"]);
  await commitItemPage(db, {
    mailboxId,
    dataType: "mail",
    observedAt: t2,
    blobs: [],
    contents: [],
    closeVersionIds: [states.get("msg-000")!.versionId, states.get("msg-005")!.versionId],
    inserts: [versionOf(specs[0]!, "F-PROJ")],
    changeKeyUpdates: [],
    seen: [],
    skips: [],
    cursor: cursor("F-PROJ"),
    completeReconciliation: false,
  });
});

afterAll(async () => {
  await db?.destroy();
});

describe("folder listings", () => {
  const key: Record<TItemSort, (s: TSpec) => string | number> = {
    date: (s) => s.receivedAt.getTime(),
    sender: (s) => s.fromName.toLowerCase(),
    subject: (s) => s.subject.toLowerCase(),
    size: (s) => s.size,
  };
  const cases: Array<[TItemSort, TSortDirection]> = [
    ["date", "desc"],
    ["date", "asc"],
    ["sender", "asc"],
    ["sender", "desc"],
    ["subject", "asc"],
    ["size", "desc"],
  ];
  for (const [sort, direction] of cases) {
    it(`pages through a folder by ${sort} ${direction} without gaps or repeats`, async () => {
      const seen: string[] = [];
      const values: Array<string | number> = [];
      let cursorValue: string | null = null;
      let pages = 0;
      do {
        const page = await listFolderItems(db, {
          mailboxId,
          folderGraphId: "F-INBOX",
          sort,
          direction,
          limit: 17,
          cursor: cursorValue,
        });
        for (const it of page.items) {
          seen.push(it.graphId);
          values.push(key[sort](specs.find((s) => s.id === it.graphId)!));
        }
        cursorValue = page.nextCursor;
        pages++;
      } while (cursorValue && pages < 20);
      const expected = specs.filter(
        (s) => s.folder === "F-INBOX" && s.id !== "msg-000" && s.id !== "msg-005",
      );
      expect([...seen].sort()).toEqual(expected.map((s) => s.id).sort());
      const sorted = [...values].sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));
      expect(values).toEqual(direction === "asc" ? sorted : sorted.reverse());
    });
  }

  it("shows a folder as it was, and Full View marks what left", async () => {
    const atT1 = await listFolderItems(db, { mailboxId, folderGraphId: "F-INBOX", at: t1, limit: 500 });
    expect(atT1.items).toHaveLength(120);
    const full = await listFolderItems(db, {
      mailboxId,
      folderGraphId: "F-INBOX",
      fullView: true,
      limit: 500,
    });
    const status = Object.fromEntries(full.items.map((i) => [i.graphId, i.status]));
    expect(full.items).toHaveLength(120);
    expect(status["msg-000"]).toBe("moved");
    expect(status["msg-005"]).toBe("deleted");
    expect(status["msg-001"]).toBe("current");
    const tree = await getFolderTree(db, mailboxId, { withCounts: true });
    expect(tree.map((f) => [f.path, f.itemCount])).toEqual([
      ["Inbox", 118],
      ["Inbox/Projects", 11],
    ]);
  });
});

describe("search", () => {
  const ids = async (p: Omit<Parameters<typeof searchArchive>[1], "mailboxId">) =>
    (await searchArchive(db, { mailboxId, limit: 500, ...p })).hits.map((h) => h.item.graphId).sort();
  const expectIds = (pred: (s: TSpec) => boolean) =>
    specs
      .filter(pred)
      .map((s) => s.id)
      .sort();

  it("ORs the values of one field and ANDs different fields", async () => {
    expect(await ids({ from: ["alice", "bob"] })).toEqual(expectIds((s) => /alice|bob/.test(s.from)));
    expect(await ids({ from: ["alice", "bob"], subject: ["budget"] })).toEqual(
      expectIds((s) => /alice|bob/.test(s.from) && s.subject.includes("budget")),
    );
    expect(await ids({ to: ["team"], hasAttachments: true })).toEqual(
      expectIds((s) => s.to.includes("team@example.com") && s.attachments.length > 0),
    );
    expect(await ids({ attachment: ["invoice-1"] })).toEqual(
      expectIds((s) => s.attachments.some((a) => a.includes("invoice-1"))),
    );
    expect(await ids({ body: ["pangolin"], folderGraphIds: ["F-PROJ"] })).toEqual([
      "msg-000",
      "msg-120",
      "msg-125",
    ]);
  });

  it("filters by date range and free text, and marks matches", async () => {
    const after = new Date(Date.UTC(2026, 0, 2));
    const before = new Date(Date.UTC(2026, 0, 3));
    expect(await ids({ after, before })).toEqual(
      expectIds((s) => s.receivedAt >= after && s.receivedAt < before),
    );
    const r = await searchArchive(db, { mailboxId, text: "pangolin invoice", limit: 3 });
    expect(r.hits).toHaveLength(3);
    expect(r.nextCursor).not.toBeNull();
    for (const hit of r.hits) {
      expect(hit.snippet.highlights.length).toBeGreaterThan(0);
      for (const [s, e] of hit.snippet.highlights)
        expect(hit.snippet.text.slice(s, e).toLowerCase()).toMatch(/pangolin|invoice/);
    }
    const budget = await searchArchive(db, { mailboxId, subject: ["budget"], limit: 1 });
    const [s, e] = budget.hits[0]!.subject.highlights[0]!;
    expect(budget.hits[0]!.subject.text.slice(s, e)).toBe("budget");
  });

  it("finds deleted messages in Full View and not at a later point in time", async () => {
    const full = await searchArchive(db, { mailboxId, text: "Status update 5", limit: 500 });
    expect(full.hits.find((h) => h.item.graphId === "msg-005")?.item.status).toBe("deleted");
    const now = await ids({ text: "status", at: new Date() });
    expect(now).not.toContain("msg-005");
    const then = await ids({ text: "status", at: t1 });
    expect(then).toContain("msg-005");
  });
});

describe("page writes", () => {
  it("stores every column of a page as given, and NUL or lone surrogates as text parameters had them", async () => {
    const t = await beginMailboxRun(db, mailboxId, "mail");
    const odd: TContentInsert = {
      ...contentOf({ ...specs[1]!, id: "odd-strings" }),
      title: 'Ünïcode 😀 "quoted" back\\slash \ud800 lone',
      internetMessageId: "<nul\u0000inside@test>",
      toAddresses: ["a@example.com", "b\u0000@example.com"],
      attachmentNames: ["report.final-v2.pdf"],
      bodyText: "body with a pangolin\u0000 and \udc00",
      meta: { nested: { list: [1, "two", null] }, text: "x\u0000y" },
      parseError: "broken",
    };
    await commitItemPage(db, {
      mailboxId,
      dataType: "mail",
      observedAt: t,
      blobs: [
        { sha256: odd.sha256, size: 42, storedSize: 40, storageKey: "k/odd", keyId: "k1", isNew: true },
      ],
      contents: [odd],
      closeVersionIds: [],
      inserts: [
        { ...versionOf({ ...specs[1]!, id: "odd-strings" }), categories: ["Red", "Blue"], meta: { a: 1 } },
      ],
      changeKeyUpdates: [],
      seen: [],
      skips: [],
      cursor: cursor("F-INBOX"),
      completeReconciliation: false,
    });
    const row = await db
      .selectFrom("contents")
      .selectAll()
      .where("sha256", "=", odd.sha256)
      .executeTakeFirstOrThrow();
    expect(row.title).toBe('Ünïcode 😀 "quoted" back\\slash \ufffd lone');
    expect(row.internet_message_id).toBe("<nulinside@test>");
    expect(row.to_addresses).toEqual(["a@example.com", "b@example.com"]);
    expect(row.body_text).toBe("body with a pangolin and \ufffd");
    expect(row.meta).toEqual({ nested: { list: [1, "two", null] }, text: "xy" });
    expect(row.parse_error).toBe("broken");
    expect(row.sent_at?.toISOString()).toBe(specs[1]!.receivedAt.toISOString());
    const version = await db
      .selectFrom("item_versions")
      .selectAll()
      .where("mailbox_id", "=", mailboxId)
      .where("graph_id", "=", "odd-strings")
      .executeTakeFirstOrThrow();
    expect(version).toMatchObject({ categories: ["Red", "Blue"], meta: { a: 1 }, size: specs[1]!.size });
    const blob = await db
      .selectFrom("blobs")
      .selectAll()
      .where("sha256", "=", odd.sha256)
      .executeTakeFirstOrThrow();
    expect(blob).toMatchObject({ size: 42, stored_size: 40, storage_key: "k/odd", key_id: "k1" });
    // The search document was built from the same text: subject weight A, attachment name split.
    const { hits } = await searchArchive(db, { mailboxId, text: "pangolin final" });
    expect(hits.map((h) => h.item.graphId)).toEqual(["odd-strings"]);
  });
});
