/**
 * Prints how long the snapshot view's queries take on a 100,000-message folder (not a test; figures only):
 *   npx tsx test/e2e/measure-large-folder.ts [messages]
 * Fills a throwaway database with synthetic archive rows (SQL generate_series: one folder, N messages, each
 * with its own content row and search vector), then times the reads the portal makes for a page:
 * folder tree with counts, first page and a deep keyset page in each sort order, Full View, and a search.
 */
import { performance } from "node:perf_hooks";
import { getFolderTree, listFolderItems, searchArchive } from "@coffer/db/archive/index";
import { upsertMailboxes } from "@coffer/db/mailboxes/mailboxes";
import { createTestDatabase } from "@coffer/db/testing/test-database";
import { sql } from "kysely";

const n = Number(process.argv[2] ?? 100_000);
const t = await createTestDatabase("coffer_measure");
try {
  const [mbx] = await upsertMailboxes(t.db, [
    {
      entraId: "e-big",
      upn: "big@contoso.test",
      displayName: "Big",
      mail: null,
      kind: "user",
      accountEnabled: true,
      licensed: true,
      hasMailbox: true,
    },
  ]);
  const mailboxId = mbx!.id;
  const from = new Date("2026-01-01T00:00:00Z");
  let started = performance.now();
  await sql`INSERT INTO folder_versions (mailbox_id, data_type, graph_id, parent_graph_id, display_name, valid_from)
    VALUES (${mailboxId}, 'mail', 'inbox', NULL, 'Inbox', ${from})`.execute(t.db);
  await sql`INSERT INTO blobs (sha256, size, stored_size, storage_key, key_id)
    SELECT md5(i::text) || md5((i+1)::text), 2000 + i % 5000, 1000, 'k' || i, 'k1' FROM generate_series(1, ${n}) i`.execute(
    t.db,
  );
  await sql`INSERT INTO contents (sha256, data_type, title, from_address, from_name, to_addresses, body_text, has_attachments, search)
    SELECT md5(i::text) || md5((i+1)::text), 'mail', 'Status report ' || i || ' ' || (ARRAY['budget','phoenix','lunch','invoice'])[1 + i % 4],
      'sender' || (i % 500) || '@example.test', 'Sender ' || (i % 500), ARRAY['big@contoso.test'],
      'Body of message ' || i || ' about ' || (ARRAY['zebra','budget','travel','release'])[1 + i % 4], i % 7 = 0,
      setweight(to_tsvector('simple', 'Status report ' || i), 'A') || setweight(to_tsvector('simple', 'Body of message ' || i || ' about ' || (ARRAY['zebra','budget','travel','release'])[1 + i % 4]), 'D')
    FROM generate_series(1, ${n}) i`.execute(t.db);
  await sql`INSERT INTO item_versions (mailbox_id, data_type, graph_id, folder_graph_id, sha256, size, received_at, is_read, valid_from, valid_to, sort_subject, sort_sender)
    SELECT ${mailboxId}, 'mail', 'm' || i, 'inbox', md5(i::text) || md5((i+1)::text), 2000 + i % 5000,
      ${from}::timestamptz + (i || ' minutes')::interval, true, ${from},
      CASE WHEN i % 50 = 0 THEN ${from}::timestamptz + interval '400 days' ELSE NULL END,
      lower('status report ' || i), lower('sender ' || (i % 500))
    FROM generate_series(1, ${n}) i`.execute(t.db);
  await sql`ANALYZE`.execute(t.db);
  console.log(`filled ${n} messages in ${((performance.now() - started) / 1000).toFixed(1)} s`);

  const time = async (label: string, fn: () => Promise<unknown>) => {
    await fn(); // warm
    const runs: number[] = [];
    for (let i = 0; i < 5; i++) {
      started = performance.now();
      await fn();
      runs.push(performance.now() - started);
    }
    runs.sort((a, b) => a - b);
    console.log(
      `${label.padEnd(46)} median ${runs[2]!.toFixed(1)} ms  (min ${runs[0]!.toFixed(1)}, max ${runs[4]!.toFixed(1)})`,
    );
  };
  await time("folder tree with counts (now)", () => getFolderTree(t.db, mailboxId, { withCounts: true }));
  await time("folder tree with counts (Full View)", () =>
    getFolderTree(t.db, mailboxId, { withCounts: true, fullView: true }),
  );
  for (const sort of ["date", "sender", "subject", "size"] as const) {
    await time(`page 1, by ${sort}`, () =>
      listFolderItems(t.db, { mailboxId, folderGraphId: "inbox", sort, limit: 50 }),
    );
    let page = await listFolderItems(t.db, { mailboxId, folderGraphId: "inbox", sort, limit: 500 });
    for (let i = 0; i < 40 && page.nextCursor; i++) {
      page = await listFolderItems(t.db, {
        mailboxId,
        folderGraphId: "inbox",
        sort,
        limit: 500,
        cursor: page.nextCursor,
      });
    }
    const cursor = page.nextCursor;
    await time(`page ~400 (keyset), by ${sort}`, () =>
      listFolderItems(t.db, { mailboxId, folderGraphId: "inbox", sort, limit: 50, cursor }),
    );
  }
  await time("page 1, by date, at a past time", () =>
    listFolderItems(t.db, {
      mailboxId,
      folderGraphId: "inbox",
      at: new Date("2026-06-01T00:00:00Z"),
      limit: 50,
    }),
  );
  await time("page 1, by date, Full View", () =>
    listFolderItems(t.db, { mailboxId, folderGraphId: "inbox", fullView: true, limit: 50 }),
  );
  await time("search 'zebra' in the folder (now)", () =>
    searchArchive(t.db, { mailboxId, text: "zebra", folderGraphIds: ["inbox"], at: new Date(), limit: 50 }),
  );
  await time("search from 'Sender 42' + has attachments", () =>
    searchArchive(t.db, { mailboxId, from: ["Sender 42"], hasAttachments: true, at: new Date(), limit: 50 }),
  );
} finally {
  await t.drop();
}
