import { sql } from "kysely";
import type { StoredBlob } from "../blobs/store";
import type { DataType } from "../schema";
import type { DbOrTrx } from "../transaction";
import { clearSeen, markSeen, openItemsOfFolder, saveCursor, type TSyncCursor } from "./sync-state";

/**
 * Writes of the sync engine for items (mail now; the other data types later). The engine decides, this
 * module applies: one delta page, its new content, its history rows, its seen-set and its checkpoint go
 * into ONE transaction (`commitItemPage`), so a crash anywhere leaves either the page and its checkpoint or
 * neither — a re-run replays the page from the checkpoint without loss or duplicates.
 */

/** What the engine knows of an item before applying a page: its current row, or else its latest one. */
export type TItemState = {
  versionId: number;
  graphId: string;
  folderGraphId: string;
  sha256: string;
  changeKey: string | null;
  size: number;
  receivedAt: Date | null;
  isRead: boolean | null;
  categories: string[];
  meta: Record<string, unknown>;
  sortSubject: string;
  sortSender: string;
  validFrom: Date;
  validTo: Date | null;
  /** False when the latest version is closed (the item was removed or moved away and not seen since). */
  isOpen: boolean;
};

/**
 * The current version of each item, or its latest closed one when there is no current version.
 * One query per page (the history index on mailbox, data type, graph id).
 */
export async function loadItemStates(
  db: DbOrTrx,
  mailboxId: string,
  dataType: DataType,
  graphIds: readonly string[],
): Promise<Map<string, TItemState>> {
  const out = new Map<string, TItemState>();
  if (graphIds.length === 0) return out;
  const { rows } = await sql<{
    id: number;
    graph_id: string;
    folder_graph_id: string;
    sha256: string;
    change_key: string | null;
    size: number;
    received_at: Date | null;
    is_read: boolean | null;
    categories: string[];
    meta: Record<string, unknown>;
    sort_subject: string;
    sort_sender: string;
    valid_from: Date;
    valid_to: Date | null;
  }>`
    SELECT DISTINCT ON (graph_id) id, graph_id, folder_graph_id, sha256, change_key, size, received_at, is_read,
      categories, meta, sort_subject, sort_sender, valid_from, valid_to
    FROM item_versions
    WHERE mailbox_id = ${mailboxId} AND data_type = ${dataType} AND graph_id = ANY(${[...new Set(graphIds)]}::text[])
    ORDER BY graph_id, (valid_to IS NULL) DESC, valid_from DESC, id DESC`.execute(db);
  for (const r of rows) {
    out.set(r.graph_id, {
      versionId: r.id,
      graphId: r.graph_id,
      folderGraphId: r.folder_graph_id,
      sha256: r.sha256,
      changeKey: r.change_key,
      size: r.size,
      receivedAt: r.received_at,
      isRead: r.is_read,
      categories: r.categories,
      meta: r.meta,
      sortSubject: r.sort_subject,
      sortSender: r.sort_sender,
      validFrom: r.valid_from,
      validTo: r.valid_to,
      isOpen: r.valid_to === null,
    });
  }
  return out;
}

/** Extracted metadata of one distinct content (shared by every mailbox holding the same bytes). */
export type TContentInsert = {
  sha256: string;
  dataType: DataType;
  title: string;
  internetMessageId: string | null;
  conversationId: string | null;
  fromAddress: string | null;
  fromName: string | null;
  toAddresses: string[];
  ccAddresses: string[];
  bccAddresses: string[];
  sentAt: Date | null;
  hasAttachments: boolean;
  attachmentNames: string[];
  bodyText: string;
  meta: Record<string, unknown>;
  parseError: string | null;
  /** Display names of all recipients (searchable with the addresses). */
  recipientNames: string;
};

export type TItemVersionInsert = {
  graphId: string;
  folderGraphId: string;
  sha256: string;
  changeKey: string | null;
  size: number;
  receivedAt: Date;
  isRead: boolean | null;
  categories: string[];
  meta: Record<string, unknown>;
  sortSubject: string;
  sortSender: string;
};

export type TItemSkip = { graphId: string; reason: string; detail?: string | null };

export type TItemPageCommit = {
  mailboxId: string;
  dataType: DataType;
  /** The run's observation time: valid_from of new rows, valid_to of closed ones. */
  observedAt: Date;
  /** Content stored in the blob store for this page (rows inserted here, ON CONFLICT DO NOTHING). */
  blobs: StoredBlob[];
  contents: TContentInsert[];
  /** Versions that stop being current now (moved, changed, removed). */
  closeVersionIds: number[];
  /** New current versions (after the closes, so the one-current-row index holds). */
  inserts: TItemVersionInsert[];
  /** Only Graph's change key moved on (same bytes, folder and flags): updated in place, no new version. */
  changeKeyUpdates: Array<{ versionId: number; changeKey: string | null }>;
  /** Ids the page reported present; pass them only when the running round reconciles (else []). */
  seen: string[];
  skips: TItemSkip[];
  cursor: TSyncCursor;
  /**
   * The round completes with this page and reconciles: current rows of the cursor's scope (a folder) that
   * the round did not see are closed, and the seen-set is emptied.
   */
  completeReconciliation: boolean;
};

export type TItemPageResult = { reconciledRemoved: number };

/** Applies one delta page and its checkpoint atomically. */
export async function commitItemPage(db: DbOrTrx, c: TItemPageCommit): Promise<TItemPageResult> {
  const run = async (trx: DbOrTrx) => {
    await insertBlobRows(trx, c.blobs);
    await insertContents(trx, c.contents);
    await closeVersions(trx, "item_versions", c.closeVersionIds, c.observedAt);
    for (const u of c.changeKeyUpdates) {
      await trx
        .updateTable("item_versions")
        .set({ change_key: u.changeKey })
        .where("id", "=", u.versionId)
        .execute();
    }
    await insertItemVersions(trx, c.mailboxId, c.dataType, c.observedAt, c.inserts);
    await markSeen(trx, c.mailboxId, c.dataType, c.cursor.scope, c.seen);
    await insertSkips(trx, c.mailboxId, c.dataType, c.skips);
    let reconciledRemoved = 0;
    if (c.completeReconciliation) {
      reconciledRemoved = await closeUnseenItems(trx, c.mailboxId, c.dataType, c.cursor.scope, c.observedAt);
      await clearSeen(trx, c.mailboxId, c.dataType, c.cursor.scope);
    }
    await saveCursor(trx, c.mailboxId, c.dataType, c.cursor);
    return { reconciledRemoved };
  };
  if (db.isTransaction) return run(db);
  return db.transaction().execute(run);
}

/**
 * Ends versions at `at`. A version that began at `at` (opened earlier in the same run, e.g. a message added
 * and then moved again within one run) would be empty, so it is deleted rather than kept as a zero-length
 * row that no point in time can show.
 */
export async function closeVersions(
  db: DbOrTrx,
  table: "item_versions" | "folder_versions",
  ids: readonly number[],
  at: Date,
): Promise<void> {
  if (ids.length === 0) return;
  const list = [...new Set(ids)];
  await db
    .deleteFrom(table)
    .where("id", "in", list)
    .where("valid_to", "is", null)
    .where("valid_from", ">=", at)
    .execute();
  await db
    .updateTable(table)
    .set({ valid_to: at })
    .where("id", "in", list)
    .where("valid_to", "is", null)
    .execute();
}

/** Closes the current items of one folder that the completed reconciliation round did not see. */
async function closeUnseenItems(
  db: DbOrTrx,
  mailboxId: string,
  dataType: DataType,
  folderGraphId: string,
  at: Date,
): Promise<number> {
  const { rows } = await sql<{ id: number }>`
    SELECT iv.id FROM item_versions iv
    WHERE iv.mailbox_id = ${mailboxId} AND iv.data_type = ${dataType} AND iv.folder_graph_id = ${folderGraphId}
      AND iv.valid_to IS NULL
      AND NOT EXISTS (SELECT 1 FROM sync_seen s WHERE s.mailbox_id = iv.mailbox_id AND s.data_type = iv.data_type
        AND s.scope = ${folderGraphId} AND s.graph_id = iv.graph_id)`.execute(db);
  await closeVersions(
    db,
    "item_versions",
    rows.map((r) => r.id),
    at,
  );
  return rows.length;
}

/** Closes every current item of a folder that is gone (deleted, or not seen by a hierarchy reconciliation). */
export async function closeItemsOfFolder(
  db: DbOrTrx,
  mailboxId: string,
  dataType: DataType,
  folderGraphId: string,
  at: Date,
): Promise<number> {
  const rows = await openItemsOfFolder(db, mailboxId, dataType, folderGraphId).execute();
  await closeVersions(
    db,
    "item_versions",
    rows.map((r) => r.id),
    at,
  );
  return rows.length;
}

/**
 * The page's rows as one JSON parameter, read back with `jsonb_to_recordset`: a page is hundreds of rows of
 * a dozen columns each, and as separate parameters the query builder's tree and the driver's per-value
 * encoding cost more than the database's work; it also lets the search vector be computed from the body
 * as sent once, instead of sending the body a second time for it. PostgreSQL's JSON refuses NUL and lone
 * surrogates, which text parameters took (NUL as an error, a lone surrogate as U+FFFD): the rare page that
 * has one is encoded again with them replaced as text parameters had them.
 */
const LONE_SURROGATE = /[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/g;

function jsonRows(rows: readonly object[]): string {
  const json = JSON.stringify(rows);
  if (!/\\u0000|\\ud[89a-f]/i.test(json)) return json;
  return JSON.stringify(rows, (_key, value: unknown) =>
    typeof value === "string" ? value.replace(LONE_SURROGATE, "\uFFFD").replaceAll("\0", "") : value,
  );
}

/**
 * `insertBlobRow` (db/src/blobs/rows.ts) for a whole page in one statement: same ON CONFLICT DO NOTHING
 * (the first row of a content stays), one round trip instead of one per message.
 */
async function insertBlobRows(db: DbOrTrx, blobs: readonly StoredBlob[]): Promise<void> {
  const list = dedupeBy(blobs, (b) => b.sha256);
  if (list.length === 0) return;
  const rows = list.map((b) => ({
    sha256: b.sha256,
    size: b.size,
    stored_size: b.storedSize,
    storage_key: b.storageKey,
    key_id: b.keyId,
  }));
  await sql`
    INSERT INTO blobs (sha256, size, stored_size, storage_key, key_id)
    SELECT r.sha256, r.size, r.stored_size, r.storage_key, r.key_id
    FROM jsonb_to_recordset(${jsonRows(rows)}::jsonb)
      AS r(sha256 text, size bigint, stored_size bigint, storage_key text, key_id text)
    ON CONFLICT (sha256) DO NOTHING`.execute(db);
}

/**
 * Contents with their search document, weighted so field filters can target one field through the same GIN
 * index: A subject, B sender, C recipients and attachment names, D body. `simple` configuration: mail is
 * multilingual, so no language's stemming is applied. Addresses are also split at `@` and `.` so that
 * "alice" or "example" find alice@example.com.
 */
async function insertContents(db: DbOrTrx, contents: readonly TContentInsert[]): Promise<void> {
  const list = dedupeBy(contents, (c) => c.sha256);
  if (list.length === 0) return;
  const rows = list.map((c) => ({
    sha256: c.sha256,
    data_type: c.dataType,
    title: c.title,
    internet_message_id: c.internetMessageId,
    conversation_id: c.conversationId,
    from_address: c.fromAddress,
    from_name: c.fromName,
    to_addresses: c.toAddresses,
    cc_addresses: c.ccAddresses,
    bcc_addresses: c.bccAddresses,
    sent_at: c.sentAt,
    has_attachments: c.hasAttachments,
    attachment_names: c.attachmentNames,
    body_text: c.bodyText,
    meta: c.meta,
    parse_error: c.parseError,
    sender: `${c.fromName ?? ""} ${splitAddress(c.fromAddress ?? "")}`,
    recipients: `${c.recipientNames} ${[...c.toAddresses, ...c.ccAddresses, ...c.bccAddresses].map(splitAddress).join(" ")}`,
    attachments: c.attachmentNames.map((n) => `${n} ${n.replace(/[._-]+/g, " ")}`).join(" "),
  }));
  await sql`
    INSERT INTO contents (sha256, data_type, title, internet_message_id, conversation_id, from_address,
      from_name, to_addresses, cc_addresses, bcc_addresses, sent_at, has_attachments, attachment_names,
      body_text, meta, parse_error, search)
    SELECT r.sha256, r.data_type, r.title, r.internet_message_id, r.conversation_id, r.from_address,
      r.from_name, r.to_addresses, r.cc_addresses, r.bcc_addresses, r.sent_at, r.has_attachments,
      r.attachment_names, r.body_text, r.meta, r.parse_error,
      setweight(to_tsvector('simple', r.title), 'A') ||
      setweight(to_tsvector('simple', r.sender), 'B') ||
      setweight(to_tsvector('simple', r.recipients), 'C') ||
      setweight(to_tsvector('simple', r.attachments), 'C') ||
      setweight(to_tsvector('simple', r.body_text), 'D')
    FROM jsonb_to_recordset(${jsonRows(rows)}::jsonb) AS r(sha256 text, data_type text, title text,
      internet_message_id text, conversation_id text, from_address text, from_name text, to_addresses text[],
      cc_addresses text[], bcc_addresses text[], sent_at timestamptz, has_attachments boolean,
      attachment_names text[], body_text text, meta jsonb, parse_error text, sender text, recipients text,
      attachments text)
    ON CONFLICT (sha256) DO NOTHING`.execute(db);
}

function splitAddress(address: string): string {
  return address ? `${address} ${address.replace(/[@.]+/g, " ")}` : "";
}

async function insertItemVersions(
  db: DbOrTrx,
  mailboxId: string,
  dataType: DataType,
  at: Date,
  versions: readonly TItemVersionInsert[],
): Promise<void> {
  if (versions.length === 0) return;
  const rows = versions.map((r) => ({
    graph_id: r.graphId,
    folder_graph_id: r.folderGraphId,
    sha256: r.sha256,
    change_key: r.changeKey,
    size: r.size,
    received_at: r.receivedAt,
    is_read: r.isRead,
    categories: r.categories,
    meta: r.meta,
    sort_subject: r.sortSubject,
    sort_sender: r.sortSender,
  }));
  // WITH ORDINALITY and ORDER BY: ids follow the page's order, as they did with a VALUES list.
  await sql`
    INSERT INTO item_versions (mailbox_id, data_type, graph_id, folder_graph_id, sha256, change_key, size,
      received_at, is_read, categories, meta, sort_subject, sort_sender, valid_from, valid_to)
    SELECT ${mailboxId}::uuid, ${dataType}, r.graph_id, r.folder_graph_id, r.sha256, r.change_key, r.size,
      r.received_at, r.is_read, r.categories, r.meta, r.sort_subject, r.sort_sender, ${at}::timestamptz, NULL
    FROM jsonb_array_elements(${jsonRows(rows)}::jsonb) WITH ORDINALITY AS e(row, n),
      jsonb_to_record(e.row) AS r(graph_id text, folder_graph_id text, sha256 text, change_key text,
        size bigint, received_at timestamptz, is_read boolean, categories text[], meta jsonb, sort_subject text,
        sort_sender text)
    ORDER BY e.n`.execute(db);
}

async function insertSkips(db: DbOrTrx, mailboxId: string, dataType: DataType, skips: readonly TItemSkip[]) {
  if (skips.length === 0) return;
  await db
    .insertInto("item_skips")
    .values(
      skips.map((s) => ({
        mailbox_id: mailboxId,
        data_type: dataType,
        graph_id: s.graphId,
        reason: s.reason,
        detail: s.detail ?? null,
      })),
    )
    .execute();
}

function dedupeBy<T>(list: readonly T[], key: (t: T) => string): T[] {
  const seen = new Set<string>();
  return list.filter((t) => {
    const k = key(t);
    if (seen.has(k)) return false;
    seen.add(k);
    return true;
  });
}
