import { type RawBuilder, sql } from "kysely";
import type { DataType } from "../schema";
import type { DbOrTrx } from "../transaction";
import { validAt } from "./read-folders";
import {
  clampLimit,
  decodeCursor,
  encodeCursor,
  keyset,
  type TArchiveItemSummary,
  type TSummaryRow,
  toSummary,
} from "./read-items";

/**
 * Archive search parameters. Different fields combine with AND; the values of one field with OR
 * (`from: ["alice", "bob"]` = from alice OR bob). Empty arrays and blank values are ignored.
 */
export type TArchiveSearch = {
  mailboxId: string;
  /** Free text over every field, web-search syntax: words, "a phrase", OR, -exclude. */
  text?: string;
  /** Substring of the sender's address or name, case-insensitive. */
  from?: string[];
  /** Substring of a To/Cc/Bcc address or name, case-insensitive. */
  to?: string[];
  /** Words in the subject. */
  subject?: string[];
  /** Words in the body text. */
  body?: string[];
  /** Substring of an attachment's file name, case-insensitive. */
  attachment?: string[];
  /** Folder Graph ids (resolve names and paths with `resolveFolders`). */
  folderGraphIds?: string[];
  /** Received at or after. */
  after?: Date;
  /** Received before. */
  before?: Date;
  hasAttachments?: boolean;
  /**
   * Which versions are searched:
   * - omitted: every message ever archived (Full View), each once, in its latest folder, with status
   *   current / deleted;
   * - a time: the messages present at that time.
   */
  at?: Date;
  limit?: number;
  cursor?: string | null;
  dataType?: DataType;
};

/** Highlighted text: `highlights` are [start, end) offsets (UTF-16, as JS strings index) into `text`. */
export type THighlightedText = { text: string; highlights: Array<[number, number]> };

export type TSearchHit = {
  item: TArchiveItemSummary;
  /** A body fragment around the matches (or the body's beginning when only other fields matched). */
  snippet: THighlightedText;
  /** The subject with the matched words marked. */
  subject: THighlightedText;
};

export type TSearchResult = { hits: TSearchHit[]; nextCursor: string | null };

// Markers ts_headline puts around matches; control characters never occur in extracted text we index.
const START = "\u0001";
const STOP = "\u0002";
const HEADLINE_BODY = `StartSel=${START}, StopSel=${STOP}, MaxFragments=2, MaxWords=24, MinWords=8, FragmentDelimiter=" … "`;
const HEADLINE_TITLE = `StartSel=${START}, StopSel=${STOP}, HighlightAll=true`;
/** ts_headline re-parses the text: bound its work per hit. */
const SNIPPET_SOURCE_CHARS = 20_000;

const HAS_WORD = /[\p{L}\p{N}]/u;

/** Full-text search with field filters; newest first, keyset-paginated. */
export async function searchArchive(db: DbOrTrx, s: TArchiveSearch): Promise<TSearchResult> {
  const dataType = s.dataType ?? "mail";
  const limit = clampLimit(s.limit);
  const after = s.cursor ? decodeCursor(s.cursor) : undefined;
  const clean = (vs: string[] | undefined) => (vs ?? []).map((v) => v.trim()).filter((v) => HAS_WORD.test(v));
  const text = s.text?.trim() && HAS_WORD.test(s.text) ? s.text.trim() : undefined;

  const conditions: Array<RawBuilder<unknown>> = [];
  if (text) conditions.push(sql`c.search @@ websearch_to_tsquery('simple', ${text})`);
  const from = clean(s.from);
  if (from.length) {
    conditions.push(
      anyOf(from.map((v) => sql`(c.from_address ILIKE ${like(v)} OR c.from_name ILIKE ${like(v)})`)),
    );
  }
  const to = clean(s.to);
  if (to.length) {
    conditions.push(
      anyOf(
        to.map(
          (v) => sql`(EXISTS (SELECT 1 FROM unnest(c.to_addresses || c.cc_addresses || c.bcc_addresses) a
            WHERE a ILIKE ${like(v)}) OR coalesce(c.meta->>'recipientNames', '') ILIKE ${like(v)})`,
        ),
      ),
    );
  }
  const subject = clean(s.subject);
  if (subject.length) conditions.push(anyOf(subject.map((v) => sql`c.search @@ ${weighted(v, "A")}`)));
  const body = clean(s.body);
  if (body.length) conditions.push(anyOf(body.map((v) => sql`c.search @@ ${weighted(v, "D")}`)));
  const attachment = clean(s.attachment);
  if (attachment.length) {
    conditions.push(
      anyOf(
        attachment.map(
          (v) => sql`EXISTS (SELECT 1 FROM unnest(c.attachment_names) n WHERE n ILIKE ${like(v)})`,
        ),
      ),
    );
  }
  if (s.folderGraphIds?.length) conditions.push(sql`f.folder_graph_id = ANY(${s.folderGraphIds}::text[])`);
  if (s.after) conditions.push(sql`f.received_at >= ${s.after}`);
  if (s.before) conditions.push(sql`f.received_at < ${s.before}`);
  if (s.hasAttachments !== undefined) conditions.push(sql`c.has_attachments = ${s.hasAttachments}`);
  const where = conditions.length ? sql.join(conditions, sql` AND `) : sql`true`;

  // The words to mark: the free text plus the body and subject filter words.
  const markTerms = [text, ...body, ...subject].filter((t): t is string => !!t);
  const markQuery = markTerms.length
    ? sql`(${sql.join(
        markTerms.map((t) => sql`websearch_to_tsquery('simple', ${t})`),
        sql` || `,
      )})`
    : sql`NULL::tsquery`;

  const matching = s.at
    ? sql`(
        SELECT f.*, 'current' AS status FROM item_versions f JOIN contents c ON c.sha256 = f.sha256
        WHERE f.mailbox_id = ${s.mailboxId} AND f.data_type = ${dataType} AND ${validAt("f", s.at)} AND ${where}
      )`
    : sql`(
        SELECT DISTINCT ON (f.graph_id) f.*, CASE WHEN f.valid_to IS NULL THEN 'current' ELSE 'deleted' END AS status
        FROM item_versions f JOIN contents c ON c.sha256 = f.sha256
        WHERE f.mailbox_id = ${s.mailboxId} AND f.data_type = ${dataType} AND ${where}
        ORDER BY f.graph_id, (f.valid_to IS NULL) DESC, f.valid_from DESC, f.id DESC
      )`;

  const { rows } = await sql<
    TSummaryRow & { snippet: string | null; title_marked: string | null; body_start: string }
  >`
    SELECT v.id, v.graph_id, v.folder_graph_id, v.sha256, v.size, v.received_at, v.is_read, v.categories, v.meta,
      v.valid_from, v.valid_to, v.received_at AS sort_value, v.status,
      c.title, c.from_name, c.from_address, c.to_addresses, c.sent_at, c.has_attachments, c.internet_message_id,
      c.parse_error,
      CASE WHEN ${markQuery} IS NULL THEN NULL
        ELSE ts_headline('simple', left(c.body_text, ${SNIPPET_SOURCE_CHARS}), ${markQuery}, ${HEADLINE_BODY}) END
        AS snippet,
      CASE WHEN ${markQuery} IS NULL THEN NULL
        ELSE ts_headline('simple', c.title, ${markQuery}, ${HEADLINE_TITLE}) END AS title_marked,
      left(c.body_text, 240) AS body_start
    FROM ${matching} v JOIN contents c ON c.sha256 = v.sha256
    WHERE ${after ? keyset(sql.ref("v.received_at"), "desc", "asc", after, "date") : sql`true`}
    ORDER BY v.received_at DESC, v.id ASC
    LIMIT ${limit + 1}`.execute(db);

  const page = rows.slice(0, limit);
  const last = page[page.length - 1];
  return {
    hits: page.map((r) => ({
      item: toSummary(r),
      snippet: r.snippet?.includes(START)
        ? parseMarked(r.snippet)
        : { text: oneLine(r.body_start), highlights: [] },
      subject: r.title_marked ? parseMarked(r.title_marked) : { text: r.title, highlights: [] },
    })),
    nextCursor: rows.length > limit && last ? encodeCursor(last.sort_value, last.id) : null,
  };
}

/** OR of alternatives, parenthesised. */
function anyOf(parts: Array<RawBuilder<unknown>>) {
  return sql`(${sql.join(parts, sql` OR `)})`;
}

function like(v: string): string {
  return `%${v.replace(/[\\%_]/g, (c) => `\\${c}`)}%`;
}

/**
 * The words of `v` (parsed like the indexed text) restricted to one weight, i.e. one field of the search
 * document (write-items.ts: A subject, B sender, C recipients/attachments, D body). PostgreSQL has no
 * function to re-weight a tsquery, so each quoted lexeme of plainto_tsquery's text form gets the `:W` suffix.
 */
function weighted(v: string, weight: "A" | "B" | "C" | "D") {
  return sql`regexp_replace(plainto_tsquery('simple', ${v})::text, '''(?:[^'']|'''')*''', ${`\\&:${weight}`}, 'g')::tsquery`;
}

/** Splits ts_headline output at the markers into text + offsets. */
export function parseMarked(marked: string): THighlightedText {
  let text = "";
  const highlights: Array<[number, number]> = [];
  let start = -1;
  for (const ch of marked) {
    if (ch === START) start = text.length;
    else if (ch === STOP) {
      if (start >= 0 && text.length > start) highlights.push([start, text.length]);
      start = -1;
    } else text += ch;
  }
  return { text: oneLineKeepingOffsets(text), highlights };
}

function oneLine(s: string): string {
  return s.replace(/\s+/g, " ").trim();
}

/** Newlines become spaces (same length), so highlight offsets stay valid. */
function oneLineKeepingOffsets(s: string): string {
  return s.replace(/[\r\n\t]/g, " ");
}
