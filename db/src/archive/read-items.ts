import { type RawBuilder, sql } from "kysely";
import type { DataType } from "../schema";
import type { DbOrTrx } from "../transaction";
import { validAt } from "./read-folders";

/** One archived message in a listing. */
export type TArchiveItemSummary = {
  /** Graph's immutable id: the item's identity across moves. */
  graphId: string;
  /** This version's row id (history rows of one item have different ids). */
  versionId: number;
  folderGraphId: string;
  subject: string;
  fromName: string | null;
  fromAddress: string | null;
  toAddresses: string[];
  receivedAt: Date | null;
  sentAt: Date | null;
  size: number;
  hasAttachments: boolean;
  isRead: boolean | null;
  categories: string[];
  /** Content address of the original bytes (`BlobStore.getStream(sha256)`). */
  sha256: string;
  internetMessageId: string | null;
  /** Set when metadata extraction failed; the original is archived byte-exact regardless. */
  parseError: string | null;
  /**
   * - current: in this folder at the point in time
   * - moved (Full View): was in this folder, at the point in time in another one
   * - deleted (Full View): was in this folder, at the point in time in none
   */
  status: "current" | "moved" | "deleted";
  validFrom: Date;
  validTo: Date | null;
};

export type TItemSort = "date" | "sender" | "subject" | "size";
export type TSortDirection = "asc" | "desc";

export type TListFolderItemsParams = {
  mailboxId: string;
  folderGraphId: string;
  /** Point in time; default now. */
  at?: Date;
  /** Full View: every message ever in the folder up to `at`, flagged moved/deleted. */
  fullView?: boolean;
  sort?: TItemSort;
  /** Default: newest first for date, A→Z for sender/subject, largest first for size. */
  direction?: TSortDirection;
  /** Page size, 1–500 (default 50). */
  limit?: number;
  /** `nextCursor` of the previous page. */
  cursor?: string | null;
  dataType?: DataType;
};

export type TItemPage = { items: TArchiveItemSummary[]; nextCursor: string | null };

const SORT_COLUMN: Record<TItemSort, string> = {
  date: "received_at",
  sender: "sort_sender",
  subject: "sort_subject",
  size: "size",
};
const DEFAULT_DIRECTION: Record<TItemSort, TSortDirection> = {
  date: "desc",
  sender: "asc",
  subject: "asc",
  size: "desc",
};

type TSummaryRow = {
  id: number;
  graph_id: string;
  folder_graph_id: string;
  sha256: string;
  size: number;
  received_at: Date | null;
  is_read: boolean | null;
  categories: string[];
  meta: Record<string, unknown>;
  valid_from: Date;
  valid_to: Date | null;
  sort_value: string | number | Date | null;
  status: "current" | "moved" | "deleted";
  title: string;
  from_name: string | null;
  from_address: string | null;
  to_addresses: string[];
  sent_at: Date | null;
  has_attachments: boolean;
  internet_message_id: string | null;
  parse_error: string | null;
};

/**
 * A page of a folder's messages at a point in time, sorted by date, sender, subject or size, with keyset
 * pagination: each page is an index range scan on (mailbox, folder, sort key, id), so page 2,000 of a
 * 100,000-message folder costs what page 1 does. Full View is computed (one row per message that was ever in
 * the folder) and costs more on very large folders.
 */
export async function listFolderItems(db: DbOrTrx, p: TListFolderItemsParams): Promise<TItemPage> {
  const sort = p.sort ?? "date";
  const dir = p.direction ?? DEFAULT_DIRECTION[sort];
  const limit = clampLimit(p.limit);
  const dataType = p.dataType ?? "mail";
  const col = SORT_COLUMN[sort];
  const after = p.cursor ? decodeCursor(p.cursor) : undefined;
  // The date index is (received_at DESC, id ASC): order ties by id the opposite way of the date so one
  // index scan (forward or backward) serves both directions. Other indexes are (key ASC, id ASC).
  const idDir: TSortDirection = sort === "date" ? (dir === "desc" ? "asc" : "desc") : dir;

  const source = p.fullView
    ? sql`(
        SELECT DISTINCT ON (f.graph_id) f.*,
          CASE WHEN ${validAt("f", p.at)} THEN 'current'
            WHEN EXISTS (SELECT 1 FROM item_versions o WHERE o.mailbox_id = f.mailbox_id AND o.data_type = f.data_type
              AND o.graph_id = f.graph_id AND ${validAt("o", p.at)}) THEN 'moved'
            ELSE 'deleted' END AS status
        FROM item_versions f
        WHERE f.mailbox_id = ${p.mailboxId} AND f.data_type = ${dataType} AND f.folder_graph_id = ${p.folderGraphId}
          AND f.valid_from <= ${p.at ?? sql`now()`}
        ORDER BY f.graph_id, f.valid_from DESC, f.id DESC
      )`
    : sql`(
        SELECT f.*, 'current' AS status FROM item_versions f
        WHERE f.mailbox_id = ${p.mailboxId} AND f.data_type = ${dataType} AND f.folder_graph_id = ${p.folderGraphId}
          AND ${validAt("f", p.at)}
      )`;

  const { rows } = await sql<TSummaryRow>`
    SELECT v.id, v.graph_id, v.folder_graph_id, v.sha256, v.size, v.received_at, v.is_read, v.categories, v.meta,
      v.valid_from, v.valid_to, v.${sql.ref(col)} AS sort_value, v.status,
      c.title, c.from_name, c.from_address, c.to_addresses, c.sent_at, c.has_attachments, c.internet_message_id,
      c.parse_error
    FROM ${source} v JOIN contents c ON c.sha256 = v.sha256
    WHERE ${after ? keyset(sql.ref(`v.${col}`), dir, idDir, after, sort) : sql`true`}
    ORDER BY v.${sql.ref(col)} ${sql.raw(dir)}, v.id ${sql.raw(idDir)}
    LIMIT ${limit + 1}`.execute(db);

  const page = rows.slice(0, limit);
  const last = page[page.length - 1];
  return {
    items: page.map(toSummary),
    nextCursor: rows.length > limit && last ? encodeCursor(last.sort_value, last.id) : null,
  };
}

/** How many messages a folder holds at `at` (Full View: how many were ever in it). */
export async function countFolderItems(
  db: DbOrTrx,
  p: Pick<TListFolderItemsParams, "mailboxId" | "folderGraphId" | "at" | "fullView" | "dataType">,
): Promise<number> {
  const dataType = p.dataType ?? "mail";
  const { rows } = p.fullView
    ? await sql<{ n: number }>`
        SELECT count(DISTINCT graph_id)::int AS n FROM item_versions f
        WHERE f.mailbox_id = ${p.mailboxId} AND f.data_type = ${dataType} AND f.folder_graph_id = ${p.folderGraphId}
          AND f.valid_from <= ${p.at ?? sql`now()`}`.execute(db)
    : await sql<{ n: number }>`
        SELECT count(*)::int AS n FROM item_versions f
        WHERE f.mailbox_id = ${p.mailboxId} AND f.data_type = ${dataType} AND f.folder_graph_id = ${p.folderGraphId}
          AND ${validAt("f", p.at)}`.execute(db);
  return rows[0]?.n ?? 0;
}

/** What `coffer ls` prints per item; the same shape as the simulator's state. */
export type TArchivedItemRef = {
  graphId: string;
  folderGraphId: string;
  internetMessageId: string | null;
  sha256: string;
  size: number;
};

/**
 * Every item of a mailbox at `at` (default now), in pages of `batch`, ordered by row id: for listings and
 * comparisons of whole mailboxes without holding them in memory.
 */
export async function* iterateMailboxItems(
  db: DbOrTrx,
  mailboxId: string,
  opts: { at?: Date; dataType?: DataType; batch?: number } = {},
): AsyncGenerator<TArchivedItemRef> {
  const batch = opts.batch ?? 5000;
  let afterId = 0;
  for (;;) {
    const { rows } = await sql<{
      id: number;
      graph_id: string;
      folder_graph_id: string;
      sha256: string;
      size: number;
      imid: string | null;
    }>`
      SELECT f.id, f.graph_id, f.folder_graph_id, f.sha256, f.size,
        COALESCE(f.meta->>'internetMessageId', c.internet_message_id) AS imid
      FROM item_versions f JOIN contents c ON c.sha256 = f.sha256
      WHERE f.mailbox_id = ${mailboxId} AND f.data_type = ${opts.dataType ?? "mail"} AND ${validAt("f", opts.at)}
        AND f.id > ${afterId}
      ORDER BY f.id LIMIT ${batch}`.execute(db);
    for (const r of rows) {
      yield {
        graphId: r.graph_id,
        folderGraphId: r.folder_graph_id,
        internetMessageId: r.imid,
        sha256: r.sha256,
        size: r.size,
      };
    }
    if (rows.length < batch) return;
    afterId = rows[rows.length - 1]!.id;
  }
}

/** One archived message with everything the portal shows about it, and its history. */
export type TArchiveItemDetail = TArchiveItemSummary & {
  conversationId: string | null;
  ccAddresses: string[];
  bccAddresses: string[];
  attachmentNames: string[];
  /** Extracted metadata: `attachments` [{name,size,contentType,isInline}], `from`/`to`… with names. */
  contentMeta: Record<string, unknown>;
  bodyText: string;
  /** Every version of the item, oldest first (folder moves, changes, deletion). */
  versions: Array<{
    versionId: number;
    folderGraphId: string;
    sha256: string;
    size: number;
    isRead: boolean | null;
    validFrom: Date;
    validTo: Date | null;
  }>;
};

/**
 * An item by its Graph id: the version valid at `at` (default now); when it has none then (deleted or not
 * yet archived), the latest version before `at`, with status "deleted". Undefined if never archived by then.
 * The original bytes: `BlobStore.getStream(detail.sha256)` (db/src/blobs).
 */
export async function getArchivedItem(
  db: DbOrTrx,
  mailboxId: string,
  graphId: string,
  opts: { at?: Date; dataType?: DataType } = {},
): Promise<TArchiveItemDetail | undefined> {
  const dataType = opts.dataType ?? "mail";
  const { rows: versions } = await sql<{
    id: number;
    folder_graph_id: string;
    sha256: string;
    size: number;
    is_read: boolean | null;
    valid_from: Date;
    valid_to: Date | null;
  }>`
    SELECT id, folder_graph_id, sha256, size, is_read, valid_from, valid_to FROM item_versions
    WHERE mailbox_id = ${mailboxId} AND data_type = ${dataType} AND graph_id = ${graphId}
    ORDER BY valid_from, id`.execute(db);
  const at = opts.at ?? new Date(8.64e15);
  const candidates = versions.filter((v) => v.valid_from <= at);
  if (candidates.length === 0) return undefined;
  const chosen =
    candidates.find((v) => v.valid_to === null || v.valid_to > at) ?? candidates[candidates.length - 1]!;
  const isCurrent = chosen.valid_to === null || chosen.valid_to > at;
  const { rows } = await sql<
    TSummaryRow & {
      conversation_id: string | null;
      cc_addresses: string[];
      bcc_addresses: string[];
      attachment_names: string[];
      content_meta: Record<string, unknown>;
      body_text: string;
    }
  >`
    SELECT v.id, v.graph_id, v.folder_graph_id, v.sha256, v.size, v.received_at, v.is_read, v.categories, v.meta,
      v.valid_from, v.valid_to, NULL AS sort_value, ${isCurrent ? "current" : "deleted"} AS status,
      c.title, c.from_name, c.from_address, c.to_addresses, c.sent_at, c.has_attachments, c.internet_message_id,
      c.parse_error, c.conversation_id, c.cc_addresses, c.bcc_addresses, c.attachment_names,
      c.meta AS content_meta, c.body_text
    FROM item_versions v JOIN contents c ON c.sha256 = v.sha256 WHERE v.id = ${chosen.id}`.execute(db);
  const r = rows[0];
  if (!r) return undefined;
  return {
    ...toSummary(r),
    conversationId: r.conversation_id,
    ccAddresses: r.cc_addresses,
    bccAddresses: r.bcc_addresses,
    attachmentNames: r.attachment_names,
    contentMeta: r.content_meta,
    bodyText: r.body_text,
    versions: versions.map((v) => ({
      versionId: v.id,
      folderGraphId: v.folder_graph_id,
      sha256: v.sha256,
      size: v.size,
      isRead: v.is_read,
      validFrom: v.valid_from,
      validTo: v.valid_to,
    })),
  };
}

export function toSummary(r: TSummaryRow): TArchiveItemSummary {
  const imid = typeof r.meta?.internetMessageId === "string" ? r.meta.internetMessageId : null;
  return {
    graphId: r.graph_id,
    versionId: r.id,
    folderGraphId: r.folder_graph_id,
    subject: r.title,
    fromName: r.from_name,
    fromAddress: r.from_address,
    toAddresses: r.to_addresses,
    receivedAt: r.received_at,
    sentAt: r.sent_at,
    size: r.size,
    hasAttachments: r.has_attachments,
    isRead: r.is_read,
    categories: r.categories,
    sha256: r.sha256,
    internetMessageId: imid ?? r.internet_message_id,
    parseError: r.parse_error,
    status: r.status,
    validFrom: r.valid_from,
    validTo: r.valid_to,
  };
}

export type { TSummaryRow };

export function clampLimit(limit: number | undefined): number {
  return Math.min(Math.max(Math.trunc(limit ?? 50), 1), 500);
}

type TCursor = { v: string | number | null; id: number; t?: "d" };

export function encodeCursor(value: string | number | Date | null, id: number): string {
  const c: TCursor = value instanceof Date ? { v: value.toISOString(), id, t: "d" } : { v: value, id };
  return Buffer.from(JSON.stringify(c)).toString("base64url");
}

export function decodeCursor(cursor: string): { value: string | number | Date | null; id: number } {
  try {
    const c = JSON.parse(Buffer.from(cursor, "base64url").toString("utf8")) as TCursor;
    if (typeof c.id !== "number") throw new Error("no id");
    return { value: c.t === "d" && typeof c.v === "string" ? new Date(c.v) : c.v, id: c.id };
  } catch {
    throw new Error("invalid page cursor");
  }
}

/** Rows strictly after the cursor in the (col dir, id idDir) order. NULL sort values sort last (never written). */
export function keyset(
  col: RawBuilder<unknown> | ReturnType<typeof sql.ref>,
  dir: TSortDirection,
  idDir: TSortDirection,
  after: { value: string | number | Date | null; id: number },
  _sort: TItemSort,
) {
  const cmp = sql.raw(dir === "asc" ? ">" : "<");
  const idCmp = sql.raw(idDir === "asc" ? ">" : "<");
  return sql<boolean>`(${col} ${cmp} ${after.value} OR (${col} = ${after.value} AND v.id ${idCmp} ${after.id}))`;
}
