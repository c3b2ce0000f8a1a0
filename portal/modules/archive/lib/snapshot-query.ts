import type { TItemSort, TSortDirection } from "@coffer/db/archive/read-items";
import { DATA_TYPES, type DataType } from "@coffer/db/schema";

/**
 * The snapshot view's state lives in its URL (server-rendered, shareable, back/forward work): the point in
 * time, Full View, the data type section, the folder, the sort, the page, and the search. Parsing is
 * forgiving: a malformed value falls back to its default instead of failing the page.
 */
/** Rows per page of a folder listing or a search. */
export const PAGE_SIZE = 50;

export type TSearchQuery = {
  text: string;
  from: string;
  to: string;
  subject: string;
  body: string;
  attachment: string;
  /** Received on or after this day (UTC), inclusive. */
  after: string;
  /** Received on or before this day (UTC), inclusive. */
  before: string;
  hasAttachments: boolean;
  /** The current folder, or the whole mailbox. */
  scope: "folder" | "mailbox";
};

export type TSnapshotQuery = {
  /** The point in time; undefined = now (the live mailbox as last synced). */
  at: Date | undefined;
  fullView: boolean;
  type: DataType;
  folder: string | undefined;
  sort: TItemSort;
  dir: TSortDirection | undefined;
  cursor: string | undefined;
  /** 1-based page number, for display only (the cursor is what pages). */
  page: number;
  search: TSearchQuery | undefined;
};

export type TRawParams = Record<string, string | string[] | undefined>;

const SORTS: readonly TItemSort[] = ["date", "sender", "subject", "size"];
const SEARCH_KEYS = ["q", "from", "to", "subject", "body", "attachment", "after", "before", "has"] as const;

function one(params: TRawParams, key: string): string {
  const v = params[key];
  return (Array.isArray(v) ? v[0] : v)?.slice(0, 1000) ?? "";
}

/**
 * A point in time from user input: `YYYY-MM-DDTHH:MM[:SS[.sss]]` (the date-time picker, read as UTC) or a
 * full RFC 3339 time. Undefined for blank or malformed input, and for times not in the past (= now).
 */
export function parseAt(value: string, now: Date = new Date()): Date | undefined {
  const v = value.trim();
  const m = /^(\d{4}-\d{2}-\d{2})T(\d{2}:\d{2}(?::\d{2}(?:\.\d{1,3})?)?)(Z|[+-]\d{2}:\d{2})?$/.exec(v);
  if (!m) return undefined;
  const d = new Date(`${m[1]}T${m[2]}${m[3] ?? "Z"}`);
  if (Number.isNaN(d.getTime()) || d.getTime() >= now.getTime()) return undefined;
  return d;
}

/** A calendar day `YYYY-MM-DD` as the UTC instant it starts at; undefined when malformed. */
export function parseDay(value: string): Date | undefined {
  if (!/^\d{4}-\d{2}-\d{2}$/.test(value)) return undefined;
  const d = new Date(`${value}T00:00:00Z`);
  return Number.isNaN(d.getTime()) || d.toISOString().slice(0, 10) !== value ? undefined : d;
}

export function parseSnapshotQuery(params: TRawParams, now: Date = new Date()): TSnapshotQuery {
  const type = one(params, "type");
  const sort = one(params, "sort") as TItemSort;
  const dir = one(params, "dir");
  const page = Number.parseInt(one(params, "p"), 10);
  const hasSearch = SEARCH_KEYS.some((k) => one(params, k).trim() !== "");
  const after = one(params, "after").trim();
  const before = one(params, "before").trim();
  return {
    at: parseAt(one(params, "at"), now),
    fullView: one(params, "full") === "1",
    type: (DATA_TYPES as readonly string[]).includes(type) ? (type as DataType) : "mail",
    folder: one(params, "folder") || undefined,
    sort: SORTS.includes(sort) ? sort : "date",
    dir: dir === "asc" || dir === "desc" ? dir : undefined,
    cursor: one(params, "cursor") || undefined,
    page: Number.isFinite(page) && page > 0 && page < 1_000_000 ? page : 1,
    search: hasSearch
      ? {
          text: one(params, "q").trim(),
          from: one(params, "from").trim(),
          to: one(params, "to").trim(),
          subject: one(params, "subject").trim(),
          body: one(params, "body").trim(),
          attachment: one(params, "attachment").trim(),
          after: parseDay(after) ? after : "",
          before: parseDay(before) ? before : "",
          hasAttachments: one(params, "has") === "1",
          scope: one(params, "scope") === "mailbox" ? "mailbox" : "folder",
        }
      : undefined,
  };
}

/** The `at` value for links and the date-time picker: UTC, to the second, without a zone suffix. */
export function formatAtInput(at: Date | undefined): string {
  return at ? at.toISOString().slice(0, 19) : "";
}

type TLinkState = {
  at?: Date | undefined;
  fullView?: boolean;
  type?: DataType;
  folder?: string | undefined;
  sort?: TItemSort;
  dir?: TSortDirection | undefined;
  cursor?: string | undefined;
  page?: number;
  search?: TSearchQuery | undefined;
};

/** The snapshot view's URL for a state. Folder links omit the search: it resets when the folder changes. */
export function snapshotHref(mailboxId: string, s: TLinkState): string {
  const p = new URLSearchParams();
  if (s.at) p.set("at", formatAtInput(s.at));
  if (s.fullView) p.set("full", "1");
  if (s.type && s.type !== "mail") p.set("type", s.type);
  if (s.folder) p.set("folder", s.folder);
  if (s.sort && s.sort !== "date") p.set("sort", s.sort);
  if (s.dir) p.set("dir", s.dir);
  if (s.search) {
    const q = s.search;
    if (q.text) p.set("q", q.text);
    if (q.from) p.set("from", q.from);
    if (q.to) p.set("to", q.to);
    if (q.subject) p.set("subject", q.subject);
    if (q.body) p.set("body", q.body);
    if (q.attachment) p.set("attachment", q.attachment);
    if (q.after) p.set("after", q.after);
    if (q.before) p.set("before", q.before);
    if (q.hasAttachments) p.set("has", "1");
    if (q.scope === "mailbox") p.set("scope", "mailbox");
  }
  if (s.cursor) p.set("cursor", s.cursor);
  if (s.page && s.page > 1) p.set("p", String(s.page));
  const qs = p.toString();
  return `/archive/${encodeURIComponent(mailboxId)}${qs ? `?${qs}` : ""}`;
}

/** A message's URL, keeping the point in time, Full View and the folder to come back to. */
export function messageHref(
  mailboxId: string,
  graphId: string,
  s: { at?: Date | undefined; fullView?: boolean; folder?: string | undefined },
  suffix = "",
  extra: Record<string, string> = {},
): string {
  const p = new URLSearchParams();
  if (s.at) p.set("at", formatAtInput(s.at));
  if (s.fullView) p.set("full", "1");
  if (s.folder) p.set("folder", s.folder);
  for (const [k, v] of Object.entries(extra)) p.set(k, v);
  const qs = p.toString();
  return `/archive/${encodeURIComponent(mailboxId)}/messages/${encodeURIComponent(graphId)}${suffix}${qs ? `?${qs}` : ""}`;
}

/** The message pages' state: the point in time, Full View, the folder to return to, remote content. */
export type TMessageQuery = {
  at: Date | undefined;
  fullView: boolean;
  folder: string | undefined;
  allowRemote: boolean;
};

export function parseMessageQuery(
  params: TRawParams | URLSearchParams,
  now: Date = new Date(),
): TMessageQuery {
  const raw: TRawParams = params instanceof URLSearchParams ? Object.fromEntries(params) : params;
  return {
    at: parseAt(one(raw, "at"), now),
    fullView: one(raw, "full") === "1",
    folder: one(raw, "folder") || undefined,
    allowRemote: one(raw, "remote") === "1",
  };
}
