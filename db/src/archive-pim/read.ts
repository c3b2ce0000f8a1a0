import { sql } from "kysely";
import { validAt } from "../archive/read-folders";
import type { BlobStore } from "../blobs/store";
import type { DataType } from "../schema";
import type { DbOrTrx } from "../transaction";
import { renderEventIcs } from "./ics";
import { occurrenceDays, type PatternedRecurrence } from "./recurrence";
import { DAY_MS, dayNumber, dayToDate, ianaZone, utcToWall, wallToUtc } from "./time";
import { renderContactVcard } from "./vcard";

/**
 * Point-in-time reads of calendars, contacts, To Do tasks and notes for the portal and the CLI: the
 * containers and items current at T (default now), a calendar's instances in a date range at T (month,
 * week, agenda), contact cards, task lists with their steps and attachments, notes, and each item's
 * original JSON bytes with its ICS or vCard rendering.
 */

export const PIM_DATA_TYPES = ["calendar", "contacts", "tasks", "notes"] as const;
export type TPimDataType = (typeof PIM_DATA_TYPES)[number];

type TJson = Record<string, unknown>;

export type TPimContainer = {
  graphId: string;
  parentGraphId: string | null;
  displayName: string;
  /** `calendar` (default calendar), `contacts` (default folder), `defaultList`/`flaggedEmails`, `notes`. */
  wellKnownName: string | null;
  validFrom: Date;
  validTo: Date | null;
};

export type TPimPart = { partId: string; name: string; contentType: string; size: number; sha256: string };

export type TPimItem = {
  graphId: string;
  versionId: number;
  dataType: TPimDataType;
  containerGraphId: string;
  /** Address of the original JSON bytes in the blob store. */
  sha256: string;
  size: number;
  title: string;
  categories: string[];
  /** Per type: events (start, end, recurrence, exceptions…), contacts (company, emails…), tasks (status, steps…). */
  meta: TJson;
  changeKey: string | null;
  validFrom: Date;
  validTo: Date | null;
};

export type TAtOptions = { at?: Date };

export async function listPimContainers(
  db: DbOrTrx,
  mailboxId: string,
  dataType: TPimDataType,
  opts: TAtOptions = {},
): Promise<TPimContainer[]> {
  const { rows } = await sql<{
    graph_id: string;
    parent_graph_id: string | null;
    display_name: string;
    well_known_name: string | null;
    valid_from: Date;
    valid_to: Date | null;
  }>`
    SELECT graph_id, parent_graph_id, display_name, well_known_name, valid_from, valid_to FROM folder_versions
    WHERE mailbox_id = ${mailboxId} AND data_type = ${dataType} AND ${validAt("folder_versions", opts.at)}
    ORDER BY (well_known_name IS NULL), lower(display_name), graph_id`.execute(db);
  return rows.map((r) => ({
    graphId: r.graph_id,
    parentGraphId: r.parent_graph_id,
    displayName: r.display_name,
    wellKnownName: r.well_known_name,
    validFrom: r.valid_from,
    validTo: r.valid_to,
  }));
}

type TItemRow = {
  id: number;
  graph_id: string;
  data_type: TPimDataType;
  folder_graph_id: string;
  sha256: string;
  size: number;
  title: string | null;
  categories: string[];
  meta: TJson;
  change_key: string | null;
  valid_from: Date;
  valid_to: Date | null;
};

function toItem(r: TItemRow): TPimItem {
  return {
    graphId: r.graph_id,
    versionId: r.id,
    dataType: r.data_type,
    containerGraphId: r.folder_graph_id,
    sha256: r.sha256,
    size: r.size,
    title: r.title ?? "",
    categories: r.categories,
    meta: r.meta,
    changeKey: r.change_key,
    validFrom: r.valid_from,
    validTo: r.valid_to,
  };
}

/** Items current at T, ordered by title (contacts: by "file as"). */
export async function listPimItems(
  db: DbOrTrx,
  mailboxId: string,
  dataType: TPimDataType,
  opts: TAtOptions & { containerGraphId?: string } = {},
): Promise<TPimItem[]> {
  const { rows } = await sql<TItemRow>`
    SELECT iv.id, iv.graph_id, iv.data_type, iv.folder_graph_id, iv.sha256, iv.size, c.title, iv.categories, iv.meta,
      iv.change_key, iv.valid_from, iv.valid_to
    FROM item_versions iv LEFT JOIN contents c ON c.sha256 = iv.sha256
    WHERE iv.mailbox_id = ${mailboxId} AND iv.data_type = ${dataType} AND ${validAt("iv", opts.at)}
      ${opts.containerGraphId ? sql`AND iv.folder_graph_id = ${opts.containerGraphId}` : sql``}
    ORDER BY iv.sort_subject, iv.graph_id`.execute(db);
  return rows.map(toItem);
}

/** One item's version at T, with its parts (file attachments of events and tasks). */
export async function getPimItem(
  db: DbOrTrx,
  mailboxId: string,
  dataType: TPimDataType,
  graphId: string,
  opts: TAtOptions = {},
): Promise<(TPimItem & { parts: TPimPart[] }) | undefined> {
  const { rows } = await sql<TItemRow>`
    SELECT iv.id, iv.graph_id, iv.data_type, iv.folder_graph_id, iv.sha256, iv.size, c.title, iv.categories, iv.meta,
      iv.change_key, iv.valid_from, iv.valid_to
    FROM item_versions iv LEFT JOIN contents c ON c.sha256 = iv.sha256
    WHERE iv.mailbox_id = ${mailboxId} AND iv.data_type = ${dataType} AND iv.graph_id = ${graphId}
      AND ${validAt("iv", opts.at)}
    LIMIT 1`.execute(db);
  const r = rows[0];
  if (!r) return undefined;
  return { ...toItem(r), parts: await partsOf(db, r.id) };
}

async function partsOf(db: DbOrTrx, versionId: number): Promise<TPimPart[]> {
  const rows = await db
    .selectFrom("item_parts")
    .select(["part_id", "name", "content_type", "size", "sha256"])
    .where("item_version_id", "=", versionId)
    .orderBy("part_id")
    .execute();
  return rows.map((p) => ({
    partId: p.part_id,
    name: p.name,
    contentType: p.content_type,
    size: p.size,
    sha256: p.sha256,
  }));
}

/** Every version of one item (its history), oldest first. */
export async function listPimItemHistory(
  db: DbOrTrx,
  mailboxId: string,
  dataType: TPimDataType,
  graphId: string,
): Promise<TPimItem[]> {
  const { rows } = await sql<TItemRow>`
    SELECT iv.id, iv.graph_id, iv.data_type, iv.folder_graph_id, iv.sha256, iv.size, c.title, iv.categories, iv.meta,
      iv.change_key, iv.valid_from, iv.valid_to
    FROM item_versions iv LEFT JOIN contents c ON c.sha256 = iv.sha256
    WHERE iv.mailbox_id = ${mailboxId} AND iv.data_type = ${dataType} AND iv.graph_id = ${graphId}
    ORDER BY iv.valid_from, iv.id`.execute(db);
  return rows.map(toItem);
}

export type TPimOriginal = {
  item: TPimItem & { parts: TPimPart[] };
  /** The Graph JSON exactly as archived (byte-identical to what Graph returned). */
  json: Buffer;
  /** ICS for events, vCard 4.0 for contacts; none for tasks and notes. */
  rendering?: { contentType: string; fileName: string; text: string };
};

/** An item's original JSON and its ICS/vCard rendering, as it was at T. */
export async function readPimOriginal(
  db: DbOrTrx,
  blobs: BlobStore,
  mailboxId: string,
  dataType: TPimDataType,
  graphId: string,
  opts: TAtOptions = {},
): Promise<TPimOriginal | undefined> {
  const item = await getPimItem(db, mailboxId, dataType, graphId, opts);
  if (!item) return undefined;
  const json = await blobs.readBuffer(item.sha256);
  const out: TPimOriginal = { item, json };
  const base = safeFileName(item.title || dataType);
  if (dataType === "calendar") {
    const attachments = [];
    for (const p of item.parts)
      attachments.push({ name: p.name, contentType: p.contentType, bytes: await blobs.readBuffer(p.sha256) });
    out.rendering = {
      contentType: "text/calendar; charset=utf-8",
      fileName: `${base}.ics`,
      text: renderEventIcs(parse(json), attachments),
    };
  } else if (dataType === "contacts")
    out.rendering = {
      contentType: "text/vcard; charset=utf-8",
      fileName: `${base}.vcf`,
      text: renderContactVcard(parse(json)),
    };
  return out;
}

/** A task attachment's bytes (verified against its sha256 by the blob store). */
export async function readPimPart(
  db: DbOrTrx,
  blobs: BlobStore,
  versionId: number,
  partId: string,
): Promise<{ part: TPimPart; bytes: Buffer } | undefined> {
  const part = (await partsOf(db, versionId)).find((p) => p.partId === partId);
  if (!part) return undefined;
  return { part, bytes: await blobs.readBuffer(part.sha256) };
}

function parse(b: Buffer): TJson {
  return JSON.parse(b.toString("utf8")) as TJson;
}

function safeFileName(s: string): string {
  // biome-ignore lint/suspicious/noControlCharactersInRegex: control characters are not allowed in file names
  const cleaned = s.replace(/[\\/:*?"<>|\u0000-\u001f]+/g, "_").trim();
  return (cleaned || "item").slice(0, 120);
}

// ---------------- calendar views ----------------

export type TCalendarInstance = {
  /** The archived item: the single event or the series master. */
  graphId: string;
  calendarGraphId: string;
  kind: "single" | "occurrence" | "exception";
  /** Occurrences and exceptions: the series day they stand for (yyyy-mm-dd in the series' zone). */
  occurrenceDate: string | null;
  subject: string;
  start: Date;
  end: Date;
  isAllDay: boolean;
  location: string;
  showAs: string | null;
  organizer: { name: string; address: string } | null;
  isCancelled: boolean;
};

type TEventMeta = {
  type?: string;
  subject?: string;
  start?: string | null;
  end?: string | null;
  isAllDay?: boolean;
  originalStartTimeZone?: string | null;
  location?: string;
  organizer?: { name: string; address: string } | null;
  showAs?: string | null;
  isCancelled?: boolean;
  recurrence?: PatternedRecurrence | null;
  cancelledDates?: string[];
  exceptions?: Array<{
    originalStart: string | null;
    start: string | null;
    end: string | null;
    subject: string;
    location: string;
    isCancelled: boolean;
    showAs: string | null;
  }>;
};

/**
 * The calendar as it was at T, between `from` and `to` (month, week or agenda): single events, and series
 * expanded into occurrences (cancelled ones left out, exceptions in their place), sorted by start.
 */
export async function getCalendarView(
  db: DbOrTrx,
  mailboxId: string,
  opts: TAtOptions & { from: Date; to: Date; calendarGraphIds?: readonly string[] },
): Promise<TCalendarInstance[]> {
  const items = await listPimItems(db, mailboxId, "calendar", opts.at ? { at: opts.at } : {});
  const wanted = opts.calendarGraphIds ? new Set(opts.calendarGraphIds) : undefined;
  const fromMs = opts.from.getTime();
  const toMs = opts.to.getTime();
  const out: TCalendarInstance[] = [];
  for (const it of items) {
    if (wanted && !wanted.has(it.containerGraphId)) continue;
    out.push(...expandEvent(it, it.meta as TEventMeta, fromMs, toMs));
  }
  return out.sort((a, b) => a.start.getTime() - b.start.getTime() || a.subject.localeCompare(b.subject));
}

/** The instances of one archived event (single or series) overlapping [fromMs, toMs). */
export function expandEvent(
  it: Pick<TPimItem, "graphId" | "containerGraphId">,
  m: TEventMeta,
  fromMs: number,
  toMs: number,
): TCalendarInstance[] {
  const startMs = m.start ? Date.parse(m.start) : Number.NaN;
  const endMs = m.end ? Date.parse(m.end) : Number.NaN;
  if (Number.isNaN(startMs) || Number.isNaN(endMs)) return [];
  const base = {
    graphId: it.graphId,
    calendarGraphId: it.containerGraphId,
    isAllDay: m.isAllDay === true,
    organizer: m.organizer ?? null,
  };
  const overlaps = (s: number, e: number) => s < toMs && (e > fromMs || (s === e && s >= fromMs));
  const rec = m.recurrence;
  if (!rec?.pattern || !rec.range) {
    if (!overlaps(startMs, endMs)) return [];
    return [
      {
        ...base,
        kind: "single",
        occurrenceDate: null,
        subject: m.subject ?? "",
        start: new Date(startMs),
        end: new Date(endMs),
        location: m.location ?? "",
        showAs: m.showAs ?? null,
        isCancelled: m.isCancelled === true,
      },
    ];
  }
  const zone = ianaZone(rec.range.recurrenceTimeZone || m.originalStartTimeZone || "UTC");
  const allDay = m.isAllDay === true;
  const tod = allDay ? 0 : ((utcToWall(startMs, zone) % DAY_MS) + DAY_MS) % DAY_MS;
  const duration = endMs - startMs;
  const cancelled = new Set((m.cancelledDates ?? []).map(dayNumber));
  const exceptions = (m.exceptions ?? []).map((x) => {
    const orig = x.originalStart ? Date.parse(x.originalStart) : Number.NaN;
    const day = Number.isNaN(orig)
      ? Number.NaN
      : Math.floor((allDay ? orig : utcToWall(orig, zone)) / DAY_MS);
    return { ...x, day };
  });
  const replaced = new Set(exceptions.map((x) => x.day));
  const spanDays = Math.ceil(duration / DAY_MS) + 1;
  const days = occurrenceDays(rec, Math.floor(fromMs / DAY_MS) - spanDays - 1, Math.floor(toMs / DAY_MS) + 1);
  const out: TCalendarInstance[] = [];
  for (const day of days) {
    if (cancelled.has(day) || replaced.has(day)) continue;
    const s = allDay ? day * DAY_MS : wallToUtc(day * DAY_MS + tod, zone);
    if (!overlaps(s, s + duration)) continue;
    out.push({
      ...base,
      kind: "occurrence",
      occurrenceDate: dayToDate(day),
      subject: m.subject ?? "",
      start: new Date(s),
      end: new Date(s + duration),
      location: m.location ?? "",
      showAs: m.showAs ?? null,
      isCancelled: m.isCancelled === true,
    });
  }
  for (const x of exceptions) {
    if (Number.isNaN(x.day) || cancelled.has(x.day) || !x.start || !x.end) continue;
    const s = Date.parse(x.start);
    const e = Date.parse(x.end);
    if (!overlaps(s, e)) continue;
    out.push({
      ...base,
      kind: "exception",
      occurrenceDate: dayToDate(x.day),
      subject: x.subject,
      start: new Date(s),
      end: new Date(e),
      location: x.location,
      showAs: x.showAs,
      isCancelled: x.isCancelled,
    });
  }
  return out;
}

// ---------------- contacts, tasks, notes ----------------

export type TContactCard = {
  graphId: string;
  folderGraphId: string;
  displayName: string;
  givenName: string;
  surname: string;
  companyName: string;
  department: string;
  jobTitle: string;
  emails: Array<{ address: string; name: string; type: string }>;
  phones: Array<{ type: string; number: string }>;
  addresses: Array<{
    type: string;
    street: string;
    city: string;
    state: string;
    postalCode: string;
    countryOrRegion: string;
  }>;
  websites: string[];
  birthday: string | null;
  categories: string[];
  notes: string;
};

/** Contact cards at T (reads each contact's original JSON). */
export async function getContactCards(
  db: DbOrTrx,
  blobs: BlobStore,
  mailboxId: string,
  opts: TAtOptions & { folderGraphId?: string } = {},
): Promise<TContactCard[]> {
  const items = await listPimItems(db, mailboxId, "contacts", {
    ...(opts.at ? { at: opts.at } : {}),
    ...(opts.folderGraphId ? { containerGraphId: opts.folderGraphId } : {}),
  });
  const out: TContactCard[] = [];
  for (const it of items) {
    const c = parse(await blobs.readBuffer(it.sha256));
    const s = (v: unknown) => (typeof v === "string" ? v : "");
    const phones = Array.isArray(c.phones)
      ? (c.phones as TJson[]).map((p) => ({ type: s(p.type), number: s(p.number) }))
      : [
          ...((c.businessPhones as string[] | undefined) ?? []).map((n) => ({ type: "business", number: n })),
          ...((c.homePhones as string[] | undefined) ?? []).map((n) => ({ type: "home", number: n })),
          ...(c.mobilePhone ? [{ type: "mobile", number: s(c.mobilePhone) }] : []),
        ];
    const addresses = ((c.postalAddresses as TJson[] | undefined) ?? []).map((a) => ({
      type: s(a.type),
      street: s(a.street),
      city: s(a.city),
      state: s(a.state),
      postalCode: s(a.postalCode),
      countryOrRegion: s(a.countryOrRegion),
    }));
    out.push({
      graphId: it.graphId,
      folderGraphId: it.containerGraphId,
      displayName: s(c.displayName),
      givenName: s(c.givenName),
      surname: s(c.surname),
      companyName: s(c.companyName),
      department: s(c.department),
      jobTitle: s(c.jobTitle),
      emails: ((c.emailAddresses as TJson[] | undefined) ?? []).map((e) => ({
        address: s(e.address),
        name: s(e.name),
        type: s(e.type),
      })),
      phones,
      addresses,
      websites: ((c.websites as TJson[] | undefined) ?? []).map((w) => s(w.address)).filter(Boolean),
      birthday: typeof c.birthday === "string" ? c.birthday.slice(0, 10) : null,
      categories: it.categories,
      notes: s(c.personalNotes),
    });
  }
  return out;
}

export type TTaskView = {
  graphId: string;
  versionId: number;
  title: string;
  status: string | null;
  importance: string | null;
  due: string | null;
  completed: string | null;
  isRecurring: boolean;
  steps: Array<{ displayName: string; isChecked: boolean }>;
  attachments: TPimPart[];
  categories: string[];
};

/** Task lists at T with their tasks, steps and attachments (from the archive's metadata, no blob reads). */
export async function getTaskLists(
  db: DbOrTrx,
  mailboxId: string,
  opts: TAtOptions = {},
): Promise<Array<{ list: TPimContainer; tasks: TTaskView[] }>> {
  const lists = await listPimContainers(db, mailboxId, "tasks", opts);
  const items = await listPimItems(db, mailboxId, "tasks", opts);
  const { rows } = items.length
    ? await sql<{
        item_version_id: number;
        part_id: string;
        name: string;
        content_type: string;
        size: number;
        sha256: string;
      }>`
        SELECT item_version_id, part_id, name, content_type, size, sha256 FROM item_parts
        WHERE item_version_id = ANY(${items.map((i) => i.versionId)}::bigint[]) ORDER BY part_id`.execute(db)
    : { rows: [] };
  const parts = new Map<number, TPimPart[]>();
  for (const p of rows) {
    const list = parts.get(p.item_version_id) ?? [];
    list.push({
      partId: p.part_id,
      name: p.name,
      contentType: p.content_type,
      size: p.size,
      sha256: p.sha256,
    });
    parts.set(p.item_version_id, list);
  }
  return lists.map((list) => ({
    list,
    tasks: items
      .filter((i) => i.containerGraphId === list.graphId)
      .map((i) => ({
        graphId: i.graphId,
        versionId: i.versionId,
        title: i.title,
        status: (i.meta.status as string | null | undefined) ?? null,
        importance: (i.meta.importance as string | null | undefined) ?? null,
        due: (i.meta.due as string | null | undefined) ?? null,
        completed: (i.meta.completed as string | null | undefined) ?? null,
        isRecurring: i.meta.isRecurring === true,
        steps: (i.meta.steps as TTaskView["steps"] | undefined) ?? [],
        attachments: parts.get(i.versionId) ?? [],
        categories: i.categories,
      })),
  }));
}

export type TNoteView = {
  graphId: string;
  subject: string;
  bodyHtml: string;
  lastModified: string | null;
  categories: string[];
};

/** Notes at T, newest change first (reads each note's original JSON for its body). */
export async function getNotes(
  db: DbOrTrx,
  blobs: BlobStore,
  mailboxId: string,
  opts: TAtOptions = {},
): Promise<TNoteView[]> {
  const items = await listPimItems(db, mailboxId, "notes", opts);
  const out: TNoteView[] = [];
  for (const it of items) {
    const n = parse(await blobs.readBuffer(it.sha256));
    const body = n.body as { content?: string; contentType?: string } | undefined;
    out.push({
      graphId: it.graphId,
      subject: typeof n.subject === "string" ? n.subject : it.title,
      bodyHtml: body?.contentType === "html" ? (body.content ?? "") : escapeHtml(body?.content ?? ""),
      lastModified: typeof n.lastModifiedDateTime === "string" ? n.lastModifiedDateTime : null,
      categories: it.categories,
    });
  }
  return out.sort((a, b) => (b.lastModified ?? "").localeCompare(a.lastModified ?? ""));
}

function escapeHtml(s: string): string {
  return s.replace(/&/g, "&amp;").replace(/</g, "&lt;").replace(/>/g, "&gt;");
}

export type { DataType };
