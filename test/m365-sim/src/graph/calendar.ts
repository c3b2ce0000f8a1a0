import { GraphError, notFound, type SimResponse } from "../http";
import { decodeId, ItemKind } from "../ids";
import type { DeltaCollection, DeltaEntry } from "../model/delta";
import { seqKey } from "../model/delta";
import type { Mailbox } from "../model/mailbox";
import { occurrenceDays, type PatternedRecurrence } from "../model/pim-recurrence";
import {
  type ContainerRec,
  type PimItem,
  type PimStore,
  pimOf,
  type TaskAttachmentRec,
} from "../model/pim-store";
import {
  DAY_MS,
  dayNumber,
  dayToDate,
  dttzToUtc,
  formatWall,
  parseWall,
  utcToDttz,
  utcToWall,
  wallToUtc,
} from "../model/pim-time";
import {
  changeKey,
  contextUrl,
  deltaResponse,
  etag,
  listPage,
  type PimView,
  preview,
  removed,
  select,
  viewOf,
} from "../model/pim-view";
import { parseExpand, parseSelect } from "../odata";
import { type GraphCtx, type GraphRouter, json, mailboxOf, q } from "./context";

/**
 * Calendars and events: lists, items (with `$expand=exceptionOccurrences`), `/instances`,
 * calendarView, v1.0 calendarView delta (expanded instances, @removed also for changed events outside
 * the window) and the beta per-calendar events delta (id, type, start, end of singles and masters).
 */

// ---------------- timing ----------------

interface Timing {
  startMs: number;
  endMs: number;
}

function dttz(v: unknown): { dateTime: string; timeZone?: string } {
  const o = v as { dateTime?: string; timeZone?: string } | undefined;
  return { dateTime: o?.dateTime ?? "1970-01-01T00:00:00", timeZone: o?.timeZone ?? "UTC" };
}

export function timingOf(it: PimItem): Timing {
  return { startMs: dttzToUtc(dttz(it.props.start)), endMs: dttzToUtc(dttz(it.props.end)) };
}

function recurrenceOf(it: { props: Record<string, unknown> }): PatternedRecurrence | undefined {
  const r = it.props.recurrence as PatternedRecurrence | null | undefined;
  return r?.pattern && r.range ? r : undefined;
}

function recurrenceZone(it: { props: Record<string, unknown> }): string {
  const r = recurrenceOf(it);
  return (
    r?.range.recurrenceTimeZone ||
    (it.props.originalStartTimeZone as string | undefined) ||
    dttz(it.props.start).timeZone ||
    "UTC"
  );
}

/** Start and end of the occurrence of `master` on `day` (days in the recurrence zone). */
export function occurrenceTiming(master: { props: Record<string, unknown> }, day: number): Timing {
  const zone = recurrenceZone(master);
  const startMs = dttzToUtc(dttz(master.props.start));
  const endMs = dttzToUtc(dttz(master.props.end));
  const tod = ((utcToWall(startMs, zone) % DAY_MS) + DAY_MS) % DAY_MS;
  const s = wallToUtc(day * DAY_MS + tod, zone);
  return { startMs: s, endMs: s + (endMs - startMs) };
}

function cancelledDays(master: PimItem): Set<number> {
  return new Set(((master.props._cancelled as string[] | undefined) ?? []).map((d) => dayNumber(d)));
}

/** The occurrence day an exception replaces. */
export function exceptionDay(master: PimItem, exc: PimItem): number {
  const orig = Date.parse(String(exc.props.originalStart ?? ""));
  return Math.floor(utcToWall(orig, recurrenceZone(master)) / DAY_MS);
}

export type Instance =
  | { kind: "occurrence"; master: PimItem; day: number }
  | { kind: "exception"; item: PimItem };

/** Instances of a series in [fromMs, toMs): occurrences (minus cancelled and replaced) and exceptions. */
export function instancesOf(store: PimStore, master: PimItem, fromMs: number, toMs: number): Instance[] {
  const rec = recurrenceOf(master);
  if (!rec) return [];
  const { startMs, endMs } = timingOf(master);
  const spanDays = Math.ceil((endMs - startMs) / DAY_MS) + 1;
  const days = occurrenceDays(rec, Math.floor(fromMs / DAY_MS) - spanDays - 1, Math.floor(toMs / DAY_MS) + 1);
  const cancelled = cancelledDays(master);
  const exceptions = store.exceptionsOf(master);
  const replaced = new Set(exceptions.map((e) => exceptionDay(master, e)));
  const out: Array<Instance & { s: number }> = [];
  for (const day of days) {
    if (cancelled.has(day) || replaced.has(day)) continue;
    const t = occurrenceTiming(master, day);
    if (t.startMs < toMs && t.endMs > fromMs) out.push({ kind: "occurrence", master, day, s: t.startMs });
  }
  for (const e of exceptions) {
    if (cancelled.has(exceptionDay(master, e))) continue;
    const t = timingOf(e);
    if (t.startMs < toMs && t.endMs > fromMs) out.push({ kind: "exception", item: e, s: t.startMs });
  }
  out.sort((a, b) => a.s - b.s);
  return out.map(({ s: _s, ...i }) => i as Instance);
}

// ---------------- JSON ----------------

const EVENT_FIELDS = [
  "id",
  "createdDateTime",
  "lastModifiedDateTime",
  "changeKey",
  "categories",
  "transactionId",
  "originalStartTimeZone",
  "originalEndTimeZone",
  "iCalUId",
  "uid",
  "reminderMinutesBeforeStart",
  "isReminderOn",
  "hasAttachments",
  "subject",
  "bodyPreview",
  "importance",
  "sensitivity",
  "isAllDay",
  "isCancelled",
  "isOrganizer",
  "responseRequested",
  "seriesMasterId",
  "showAs",
  "type",
  "webLink",
  "onlineMeetingUrl",
  "isOnlineMeeting",
  "onlineMeetingProvider",
  "allowNewTimeProposals",
  "occurrenceId",
  "originalStart",
  "isDraft",
  "hideAttendees",
  "cancelledOccurrences",
  "responseStatus",
  "body",
  "start",
  "end",
  "location",
  "locations",
  "recurrence",
  "attendees",
  "organizer",
  "onlineMeeting",
];

/** Exchange's Global Object Id layout (the fixed class id, then a per-series part). */
function iCalUId(store: PimStore, seriesKey: number): string {
  const tail = Buffer.alloc(16);
  Buffer.from(store.mbx.guid.replace(/-/g, ""), "hex").copy(tail, 0, 0, 12);
  tail.writeUInt32BE(seriesKey >>> 0, 12);
  return `040000008200E00074C5B7101A82E00800000000${"0".repeat(16)}${"00000000"}${"10000000"}${tail.toString("hex").toUpperCase()}`;
}

function timeField(v: PimView, it: { props: Record<string, unknown> }, ms: number, wall?: number) {
  if (it.props.isAllDay === true) {
    // All-day events are floating days: midnight to midnight whatever zone is asked for.
    return { dateTime: formatWall(wall ?? ms), timeZone: v.tz };
  }
  return utcToDttz(ms, v.tz);
}

export interface EventRender {
  /** Render the occurrence of a master on this day (instances, calendarView). */
  occurrenceDay?: number;
  expandExceptions?: boolean;
  odataType?: boolean;
}

export function eventJson(
  v: PimView,
  store: PimStore,
  it: PimItem,
  o: EventRender = {},
): Record<string, unknown> {
  const p = it.props;
  const occ = o.occurrenceDay !== undefined;
  const master = it.masterKey !== undefined ? store.items.get(it.masterKey) : occ ? it : undefined;
  const masterId = master ? store.itemId(master, v.format) : null;
  const id = occ ? store.occurrenceId(it, o.occurrenceDay as number, v.format) : store.itemId(it, v.format);
  const type = occ
    ? "occurrence"
    : it.masterKey !== undefined
      ? "exception"
      : recurrenceOf(it)
        ? "seriesMaster"
        : "singleInstance";
  let timing = timingOf(it);
  let startWall = parseWall(dttz(p.start).dateTime);
  let endWall = parseWall(dttz(p.end).dateTime);
  let originalStart: string | undefined;
  let occurrenceId: string | null = null;
  if (occ) {
    timing = occurrenceTiming(it, o.occurrenceDay as number);
    startWall = (o.occurrenceDay as number) * DAY_MS;
    endWall = startWall + (parseWall(dttz(p.end).dateTime) - parseWall(dttz(p.start).dateTime));
    originalStart = new Date(timing.startMs).toISOString().replace(/\.000Z$/, "Z");
    occurrenceId = `OID.${masterId}.${dayToDate(o.occurrenceDay as number)}`;
  } else if (type === "exception" && master) {
    originalStart = String(p.originalStart ?? "");
    occurrenceId = `OID.${masterId}.${dayToDate(exceptionDay(master, it))}`;
  }
  const seriesKey = master?.key ?? it.key;
  const full: Record<string, unknown> = {
    id,
    createdDateTime: (master && occ ? master : it).created,
    lastModifiedDateTime: (master && occ ? master : it).modified,
    changeKey: changeKey(it.version, it.key),
    categories: p.categories ?? [],
    transactionId: p.transactionId ?? null,
    originalStartTimeZone: p.originalStartTimeZone ?? dttz(p.start).timeZone,
    originalEndTimeZone: p.originalEndTimeZone ?? dttz(p.end).timeZone,
    iCalUId: iCalUId(store, seriesKey),
    uid: iCalUId(store, seriesKey),
    reminderMinutesBeforeStart: p.reminderMinutesBeforeStart ?? 15,
    isReminderOn: p.isReminderOn ?? true,
    hasAttachments: (it.attachments?.length ?? 0) > 0,
    subject: p.subject ?? "",
    bodyPreview: preview(p.body),
    importance: p.importance ?? "normal",
    sensitivity: p.sensitivity ?? "normal",
    isAllDay: p.isAllDay ?? false,
    isCancelled: p.isCancelled ?? false,
    isOrganizer: p.isOrganizer ?? true,
    responseRequested: p.responseRequested ?? true,
    seriesMasterId: masterId,
    showAs: p.showAs ?? "busy",
    type,
    webLink: `https://outlook.office365.com/owa/?itemid=${encodeURIComponent(id)}&exvsurl=1&path=/calendar/item`,
    onlineMeetingUrl: null,
    isOnlineMeeting: p.isOnlineMeeting ?? false,
    onlineMeetingProvider: p.onlineMeetingProvider ?? "unknown",
    allowNewTimeProposals: p.allowNewTimeProposals ?? true,
    occurrenceId,
    originalStart,
    isDraft: false,
    hideAttendees: p.hideAttendees ?? false,
    cancelledOccurrences:
      type === "seriesMaster"
        ? ((p._cancelled as string[] | undefined) ?? []).map((d) => `OID.${store.itemId(it, v.format)}.${d}`)
        : undefined,
    responseStatus: p.responseStatus ?? { response: "organizer", time: "0001-01-01T00:00:00Z" },
    body: p.body ?? { contentType: "html", content: "" },
    start: timeField(v, it, timing.startMs, startWall),
    end: timeField(v, it, timing.endMs, endWall),
    location: p.location ?? {
      displayName: "",
      locationType: "default",
      uniqueIdType: "unknown",
      address: {},
      coordinates: {},
    },
    locations:
      p.locations ?? (p.location && (p.location as { displayName?: string }).displayName ? [p.location] : []),
    recurrence: type === "seriesMaster" ? p.recurrence : null,
    attendees: p.attendees ?? [],
    organizer: p.organizer ?? { emailAddress: { name: "", address: "" } },
    onlineMeeting: p.onlineMeeting ?? null,
  };
  const out: Record<string, unknown> = {};
  if (o.odataType) out["@odata.type"] = "#microsoft.graph.event";
  out["@odata.etag"] = etag(it.version, it.key);
  for (const f of EVENT_FIELDS) if (full[f] !== undefined) out[f] = full[f];
  if (o.expandExceptions) {
    out["exceptionOccurrences@odata.context"] = contextUrl(
      v,
      `users('${v.userId}')/events('${store.itemId(it, v.format)}')/exceptionOccurrences`,
    );
    out.exceptionOccurrences =
      type === "seriesMaster" ? store.exceptionsOf(it).map((e) => eventJson(v, store, e)) : [];
  }
  return out;
}

/** The canonical GET the worker archives: `GET /v1.0/users/{oid}/events/{id}?$expand=exceptionOccurrences`. */
export function eventGetBody(v: PimView, store: PimStore, it: PimItem): Record<string, unknown> {
  return {
    "@odata.context": contextUrl(v, `users('${v.userId}')/events(exceptionOccurrences())/$entity`),
    ...eventJson(v, store, it, { expandExceptions: true }),
  };
}

function calendarJson(
  _v: PimView,
  store: PimStore,
  c: ContainerRec,
  ownerName: string,
  ownerAddress: string,
) {
  return {
    "@odata.etag": etag(c.version, c.key),
    id: store.containerId(c),
    name: c.displayName,
    color: (c.props.color as string | undefined) ?? "auto",
    hexColor: (c.props.hexColor as string | undefined) ?? "",
    groupClassId: "0006f0b7-0000-0000-c000-000000000046",
    isDefaultCalendar: c.wellKnown === "calendar",
    changeKey: changeKey(c.version, c.key),
    canShare: true,
    canViewPrivateItems: true,
    canEdit: true,
    allowedOnlineMeetingProviders: ["teamsForBusiness"],
    defaultOnlineMeetingProvider: "teamsForBusiness",
    isTallyingResponses: true,
    isRemovable: c.wellKnown !== "calendar",
    owner: { name: ownerName, address: ownerAddress },
  };
}

/** A file attachment of an event (Graph's fileAttachment); `contentBytes` on a single GET and unselected lists. */
function eventAttachmentJson(
  store: PimStore,
  item: PimItem,
  a: TaskAttachmentRec,
  withBytes: boolean,
): Record<string, unknown> {
  const out: Record<string, unknown> = {
    "@odata.type": "#microsoft.graph.fileAttachment",
    "@odata.mediaContentType": a.contentType,
    id: store.attachmentId(item, a),
    lastModifiedDateTime: a.lastModifiedDateTime,
    name: a.name,
    contentType: a.contentType,
    size: a.size,
    isInline: false,
    contentId: null,
    contentLocation: null,
  };
  if (withBytes) out.contentBytes = store.mbx.sources.blobs.get(a.sha).toString("base64");
  return out;
}

// ---------------- request plumbing ----------------

function ctxStore(ctx: GraphCtx): {
  mbx: Mailbox;
  store: PimStore;
  v: PimView;
  owner: { name: string; address: string };
} {
  const { user, mbx } = mailboxOf(ctx);
  return {
    mbx,
    store: pimOf(mbx),
    v: viewOf(ctx, user.id),
    owner: { name: user.displayName, address: user.mail ?? user.userPrincipalName },
  };
}

function calendarOr404(ctx: GraphCtx, store: PimStore): ContainerRec {
  const cal = ctx.params.cal;
  if (cal === undefined) return store.defaultContainer("calendar");
  const c = store.findContainer("calendar", cal);
  if (!c) throw notFound();
  return c;
}

/** An event, or an occurrence (an id carrying a day), by id; in the given calendar when one was named. */
function eventOr404(
  store: PimStore,
  id: string,
  cal?: ContainerRec,
): { item: PimItem; occurrenceDay?: number } {
  const d = decodeId(id);
  if (d && d.kind === ItemKind.event && d.mailboxGuid === store.mbx.guid && d.sub !== undefined) {
    const master = store.items.get(d.key);
    if (master?.kind !== "event" || (d.gen !== undefined && d.gen !== master.gen)) throw notFound();
    if (cal && master.container !== cal.key) throw notFound();
    if (cancelledDays(master).has(d.sub)) throw notFound();
    return { item: master, occurrenceDay: d.sub };
  }
  const item = store.findItem("event", id);
  if (!item || (cal && item.container !== cal.key)) throw notFound();
  return { item };
}

function windowOf(ctx: GraphCtx, required = true): { fromMs: number; toMs: number } | undefined {
  const s = q(ctx, "startDateTime");
  const e = q(ctx, "endDateTime");
  if (s === undefined || e === undefined) {
    if (!required) return undefined;
    throw new GraphError(
      400,
      "ErrorInvalidParameter",
      "This request requires a time window specified by the query string parameters StartDateTime and EndDateTime.",
    );
  }
  const fromMs = Date.parse(/[zZ]|[+-]\d\d:?\d\d$/.test(s) ? s : `${s}Z`);
  const toMs = Date.parse(/[zZ]|[+-]\d\d:?\d\d$/.test(e) ? e : `${e}Z`);
  if (Number.isNaN(fromMs) || Number.isNaN(toMs))
    throw new GraphError(
      400,
      "ErrorInvalidParameter",
      "The value of StartDateTime or EndDateTime is not a valid date.",
    );
  return { fromMs, toMs };
}

function renderInstance(
  v: PimView,
  store: PimStore,
  i: Instance,
  odataType = false,
): Record<string, unknown> {
  return i.kind === "occurrence"
    ? eventJson(v, store, i.master, { occurrenceDay: i.day, odataType })
    : eventJson(v, store, i.item, { odataType });
}

/** Every instance of a calendar in a window, sorted by start (calendarView). */
function calendarInstances(
  store: PimStore,
  cal: ContainerRec,
  fromMs: number,
  toMs: number,
): Array<{ s: number; i: Instance }> {
  const out: Array<{ s: number; i: Instance }> = [];
  for (const it of store.itemsOf("event", cal.key)) {
    if (it.masterKey !== undefined) continue;
    if (recurrenceOf(it)) {
      for (const inst of instancesOf(store, it, fromMs, toMs)) {
        const s =
          inst.kind === "occurrence" ? occurrenceTiming(it, inst.day).startMs : timingOf(inst.item).startMs;
        out.push({ s, i: inst });
      }
    } else {
      const t = timingOf(it);
      if (t.startMs < toMs && t.endMs > fromMs)
        out.push({ s: t.startMs, i: { kind: "exception", item: it } });
    }
  }
  out.sort((a, b) => a.s - b.s);
  return out;
}

// ---------------- delta ----------------

/** Composite keys: an item, or an occurrence (item key and day) in one number. */
const OCC_SPAN = 131_072;

function calendarViewCollection(
  store: PimStore,
  cal: ContainerRec,
  fromMs: number,
  toMs: number,
): DeltaCollection {
  const inWindow = (t: Timing) => t.startMs < toMs && t.endMs > fromMs;
  return {
    entries(since, until, includeTombs) {
      const out: DeltaEntry[] = [];
      const add = (key: number, seq: number, tomb?: { gen: number; id?: string }) => {
        const e: DeltaEntry = {
          key,
          seq,
          sort: `${seqKey(seq)}.${key.toString(16).padStart(14, "0")}`,
          created: false,
        };
        if (tomb) e.tomb = tomb;
        out.push(e);
      };
      for (const it of store.itemsOf("event", cal.key)) {
        if (it.masterKey !== undefined || it.changeSeq <= since || it.changeSeq > until) continue;
        if (recurrenceOf(it)) {
          const insts = instancesOf(store, it, fromMs, toMs);
          for (const inst of insts) {
            if (inst.kind === "occurrence") add(it.key * OCC_SPAN + inst.day + 1, it.changeSeq);
            else add(inst.item.key * OCC_SPAN, it.changeSeq);
          }
          if (since > 0) {
            // Occurrences cancelled since: gone from the view.
            for (const day of cancelledDays(it)) {
              const t = occurrenceTiming(it, day);
              if (inWindow(t))
                add(it.key * OCC_SPAN + day + 1, it.changeSeq, {
                  gen: it.gen,
                  id: `occ:${it.key}:${it.gen}:${day}`,
                });
            }
            if (insts.length === 0)
              add(it.key * OCC_SPAN, it.changeSeq, { gen: it.gen, id: `item:${it.key}:${it.gen}` });
          }
        } else if (inWindow(timingOf(it))) add(it.key * OCC_SPAN, it.changeSeq);
        else if (since > 0) {
          // Documented: a changed event outside the window is reported as removed.
          add(it.key * OCC_SPAN, it.changeSeq, { gen: it.gen, id: `item:${it.key}:${it.gen}` });
        }
      }
      if (includeTombs) {
        for (const t of store.tombs) {
          if (t.kind !== "event" || t.container !== cal.key || t.seq <= since || t.seq > until) continue;
          add(t.key * OCC_SPAN, t.seq, { gen: t.gen, id: `item:${t.key}:${t.gen}` });
          const rec = t.extra?.recurrence as PatternedRecurrence | undefined;
          if (rec) {
            const fake = { props: { recurrence: rec, start: t.extra?.start, end: t.extra?.end } };
            const days = occurrenceDays(rec, Math.floor(fromMs / DAY_MS) - 2, Math.floor(toMs / DAY_MS) + 1);
            for (const day of days) {
              if (inWindow(occurrenceTiming(fake, day)))
                add(t.key * OCC_SPAN + day + 1, t.seq, { gen: t.gen, id: `occ:${t.key}:${t.gen}:${day}` });
            }
          }
        }
      }
      return out;
    },
    valid(e, until) {
      const it = store.items.get(Math.floor(e.key / OCC_SPAN));
      if (it?.kind !== "event") return false;
      const master = it.masterKey !== undefined ? store.items.get(it.masterKey) : it;
      return master !== undefined && master.container === cal.key && master.changeSeq <= until;
    },
  };
}

function renderCalendarViewEntry(
  v: PimView,
  store: PimStore,
  e: DeltaEntry,
): Record<string, unknown> | undefined {
  if (e.tomb?.id) {
    const [k, key, gen, day] = e.tomb.id.split(":");
    const fake = { key: Number(key), gen: Number(gen), kind: "event" as const };
    const id =
      k === "occ"
        ? store.occurrenceId(
            { ...fake, container: 0, version: 0, changeSeq: 0, created: "", modified: "", props: {} },
            Number(day),
            v.format,
          )
        : store.itemId(fake, v.format);
    return removed("#microsoft.graph.event", id);
  }
  const it = store.items.get(Math.floor(e.key / OCC_SPAN));
  if (!it) return undefined;
  const rest = e.key % OCC_SPAN;
  return rest > 0
    ? eventJson(v, store, it, { occurrenceDay: rest - 1, odataType: true })
    : eventJson(v, store, it, { odataType: true });
}

function calendarViewDelta(ctx: GraphCtx): SimResponse {
  const { mbx, store, v } = ctxStore(ctx);
  const cal = calendarOr404(ctx, store);
  const hasToken = q(ctx, "deltatoken") !== undefined || q(ctx, "skiptoken") !== undefined;
  const win = hasToken ? undefined : windowOf(ctx);
  const base = ctx.params.cal
    ? `${ctx.base}/users/${ctx.params.user}/calendars('${store.containerId(cal)}')/calendarView/delta`
    : `${ctx.base}/users/${ctx.params.user}/calendarView/delta`;
  return deltaResponse(ctx, mbx, {
    kind: "calendarView",
    scope: String(cal.key),
    link: base,
    opts: win ? { from: String(win.fromMs), to: String(win.toMs) } : {},
    collection: (o) => calendarViewCollection(store, cal, Number(o.from), Number(o.to)),
    render: (e) => renderCalendarViewEntry(v, store, e),
    odataType: "event",
  });
}

function eventsDelta(ctx: GraphCtx): SimResponse {
  if (ctx.version !== "beta")
    throw new GraphError(
      400,
      "BadRequest",
      "Resource not found for the segment 'delta'. (events delta is beta only)",
    );
  const { mbx, store, v } = ctxStore(ctx);
  const cal = calendarOr404(ctx, store);
  const hasToken = q(ctx, "deltatoken") !== undefined || q(ctx, "skiptoken") !== undefined;
  if (!hasToken && q(ctx, "endDateTime") !== undefined)
    throw new GraphError(400, "ErrorInvalidParameter", "EndDateTime is not supported by events delta.");
  const from = hasToken ? undefined : q(ctx, "startDateTime");
  const opts: Record<string, string> = {};
  if (from !== undefined) {
    const ms = Date.parse(/[zZ]|[+-]\d\d:?\d\d$/.test(from) ? from : `${from}Z`);
    if (Number.isNaN(ms))
      throw new GraphError(400, "ErrorInvalidParameter", "StartDateTime is not a valid date.");
    opts.from = String(ms);
  }
  const link = `${ctx.base}/users/${ctx.params.user}/calendars('${store.containerId(cal)}')/events/delta`;
  return deltaResponse(ctx, mbx, {
    kind: "events",
    scope: String(cal.key),
    link,
    opts,
    collection: (o) => {
      const inner = store.items;
      const fromMs = o.from !== undefined ? Number(o.from) : undefined;
      const base: DeltaCollection = {
        entries(since, until, includeTombs) {
          const out: DeltaEntry[] = [];
          for (const it of inner.values()) {
            if (it.kind !== "event" || it.container !== cal.key || it.masterKey !== undefined) continue;
            if (it.changeSeq <= since || it.changeSeq > until) continue;
            if (fromMs !== undefined && !recurrenceOf(it) && timingOf(it).endMs < fromMs) continue;
            out.push({ key: it.key, seq: it.changeSeq, sort: seqKey(it.changeSeq), created: false });
          }
          if (includeTombs) {
            for (const t of store.tombs) {
              if (t.kind !== "event" || t.container !== cal.key || t.seq <= since || t.seq > until) continue;
              if (t.extra?.masterKey !== undefined) continue;
              out.push({ key: t.key, seq: t.seq, sort: seqKey(t.seq), tomb: { gen: t.gen }, created: false });
            }
          }
          return out;
        },
        valid(e, until) {
          const it = inner.get(e.key);
          return it !== undefined && it.kind === "event" && it.container === cal.key && it.changeSeq <= until;
        },
      };
      return base;
    },
    render: (e) => {
      if (e.tomb)
        return removed(
          "#microsoft.graph.event",
          store.itemId({ key: e.key, kind: "event", gen: e.tomb.gen }, v.format),
        );
      const it = store.items.get(e.key);
      if (!it) return undefined;
      const full = eventJson(v, store, it, { odataType: true });
      // Beta events delta returns only these for singles and masters; GET the event for the rest.
      return {
        "@odata.type": full["@odata.type"],
        "@odata.etag": full["@odata.etag"],
        type: full.type,
        start: full.start,
        end: full.end,
        id: full.id,
      };
    },
    odataType: "event",
  });
}

// ---------------- routes ----------------

function listEvents(ctx: GraphCtx): SimResponse {
  const { store, v } = ctxStore(ctx);
  const cal = calendarOr404(ctx, store);
  const fields = parseSelect(q(ctx, "select"));
  const all = store
    .itemsOf("event", cal.key)
    .filter((i) => i.masterKey === undefined)
    .sort((a, b) => a.key - b.key)
    .map((i) => select(eventJson(v, store, i), fields));
  const path = ctx.params.cal
    ? `users('${v.userId}')/calendars('${store.containerId(cal)}')/events`
    : `users('${v.userId}')/events`;
  return listPage(
    ctx,
    all,
    contextUrl(v, path),
    (skip) => `${ctx.base}/${ctx.segs.join("/")}?${keepQuery(ctx, { $skip: String(skip) })}`,
  );
}

function keepQuery(ctx: GraphCtx, replace: Record<string, string>): string {
  const out = new URLSearchParams();
  for (const [k, val] of ctx.req.query)
    if (!(`$${k}` in replace) && !(k in replace))
      out.set(k.length && /^(top|skip|select|filter|orderby|expand|count)$/.test(k) ? `$${k}` : k, val);
  for (const [k, val] of Object.entries(replace)) out.set(k, val);
  return out.toString().replace(/%24/g, "$").replace(/%2C/g, ",").replace(/%3A/g, ":");
}

function getEvent(ctx: GraphCtx): SimResponse {
  const { store, v } = ctxStore(ctx);
  const cal =
    ctx.params.cal !== undefined || ctx.segs[2]?.toLowerCase() === "calendar"
      ? calendarOr404(ctx, store)
      : undefined;
  const { item, occurrenceDay } = eventOr404(store, ctx.params.id ?? "", cal);
  const expand = parseExpand(q(ctx, "expand")).some((e) => e.name.toLowerCase() === "exceptionoccurrences");
  const fields = parseSelect(q(ctx, "select"));
  const body = eventJson(v, store, item, {
    ...(occurrenceDay !== undefined ? { occurrenceDay } : {}),
    expandExceptions: expand && occurrenceDay === undefined,
  });
  const ctxPath = expand
    ? `users('${v.userId}')/events(exceptionOccurrences())/$entity`
    : `users('${v.userId}')/events/$entity`;
  const selected = select(
    body,
    fields
      ? [...fields, ...(expand ? ["exceptionOccurrences", "exceptionOccurrences@odata.context"] : [])]
      : undefined,
  );
  return json(200, { "@odata.context": contextUrl(v, ctxPath), ...selected });
}

function instances(ctx: GraphCtx): SimResponse {
  const { store, v } = ctxStore(ctx);
  const { item, occurrenceDay } = eventOr404(store, ctx.params.id ?? "");
  if (occurrenceDay !== undefined || !recurrenceOf(item)) {
    // Graph answers instances of a single event with an empty collection.
    return json(200, { "@odata.context": contextUrl(v, `Collection(event)`), value: [] });
  }
  const win = windowOf(ctx) as { fromMs: number; toMs: number };
  const fields = parseSelect(q(ctx, "select"));
  const all = instancesOf(store, item, win.fromMs, win.toMs).map((i) =>
    select(renderInstance(v, store, i), fields),
  );
  return listPage(
    ctx,
    all,
    contextUrl(v, `users('${v.userId}')/events('${store.itemId(item, v.format)}')/instances`),
    (skip) => `${ctx.base}/${ctx.segs.join("/")}?${keepQuery(ctx, { $skip: String(skip) })}`,
    1000,
  );
}

function calendarView(ctx: GraphCtx): SimResponse {
  const { store, v } = ctxStore(ctx);
  const cal = calendarOr404(ctx, store);
  const win = windowOf(ctx) as { fromMs: number; toMs: number };
  const fields = parseSelect(q(ctx, "select"));
  const all = calendarInstances(store, cal, win.fromMs, win.toMs).map(({ i }) =>
    select(renderInstance(v, store, i), fields),
  );
  return listPage(
    ctx,
    all,
    contextUrl(v, `users('${v.userId}')/calendarView`),
    (skip) => `${ctx.base}/${ctx.segs.join("/")}?${keepQuery(ctx, { $skip: String(skip) })}`,
  );
}

export function registerCalendar(r: GraphRouter): void {
  r.add("GET", "users/:user/calendars", (ctx) => {
    const { store, v, owner } = ctxStore(ctx);
    const cals = [...store.containers.values()]
      .filter((c) => c.kind === "calendar")
      .sort((a, b) => (a.wellKnown ? -1 : b.wellKnown ? 1 : a.displayName.localeCompare(b.displayName)));
    const fields = parseSelect(q(ctx, "select"));
    const all = cals.map((c) => select(calendarJson(v, store, c, owner.name, owner.address), fields));
    return listPage(
      ctx,
      all,
      contextUrl(v, `users('${v.userId}')/calendars`),
      (skip) => `${ctx.base}/${ctx.segs.join("/")}?${keepQuery(ctx, { $skip: String(skip) })}`,
    );
  });
  const getCal = (ctx: GraphCtx) => {
    const { store, v, owner } = ctxStore(ctx);
    const c = calendarOr404(ctx, store);
    return json(200, {
      "@odata.context": contextUrl(v, `users('${v.userId}')/calendars/$entity`),
      ...select(calendarJson(v, store, c, owner.name, owner.address), parseSelect(q(ctx, "select"))),
    });
  };
  r.add("GET", "users/:user/calendars/:cal", getCal);
  r.add("GET", "users/:user/calendar", getCal);

  for (const prefix of ["users/:user", "users/:user/calendar", "users/:user/calendars/:cal"]) {
    r.add("GET", `${prefix}/events`, listEvents);
    r.add("GET", `${prefix}/events/:id`, getEvent);
    r.add("GET", `${prefix}/events/:id/instances`, instances);
    r.add("GET", `${prefix}/events/:id/exceptionOccurrences`, (ctx) => {
      const { store, v } = ctxStore(ctx);
      const { item } = eventOr404(store, ctx.params.id ?? "");
      return json(200, {
        "@odata.context": contextUrl(
          v,
          `users('${v.userId}')/events('${store.itemId(item, v.format)}')/exceptionOccurrences`,
        ),
        value: store.exceptionsOf(item).map((e) => eventJson(v, store, e)),
      });
    });
    r.add("GET", `${prefix}/events/:id/attachments`, (ctx) => {
      const { store, v } = ctxStore(ctx);
      const { item } = eventOr404(store, ctx.params.id ?? "");
      const fields = parseSelect(q(ctx, "select"));
      return json(200, {
        "@odata.context": contextUrl(
          v,
          `users('${v.userId}')/events('${store.itemId(item, v.format)}')/attachments`,
        ),
        value: (item.attachments ?? []).map((a) =>
          select(eventAttachmentJson(store, item, a, !fields), fields),
        ),
      });
    });
    r.add("GET", `${prefix}/events/:id/attachments/:att`, (ctx) => {
      const { store, v } = ctxStore(ctx);
      const { item } = eventOr404(store, ctx.params.id ?? "");
      const a = (item.attachments ?? []).find((x) => store.attachmentId(item, x) === ctx.params.att);
      if (!a) throw notFound();
      return json(200, {
        "@odata.context": contextUrl(
          v,
          `users('${v.userId}')/events('${store.itemId(item, v.format)}')/attachments/$entity`,
        ),
        ...eventAttachmentJson(store, item, a, true),
      });
    });
    r.add("GET", `${prefix}/events/:id/attachments/:att/$value`, (ctx): SimResponse => {
      const { store } = ctxStore(ctx);
      const { item } = eventOr404(store, ctx.params.id ?? "");
      const a = (item.attachments ?? []).find((x) => store.attachmentId(item, x) === ctx.params.att);
      if (!a) throw notFound();
      return {
        status: 200,
        headers: { "Content-Type": a.contentType },
        body: store.mbx.sources.blobs.get(a.sha),
      };
    });
    r.add("GET", `${prefix}/calendarView`, calendarView);
    r.add("GET", `${prefix}/calendarView/delta`, calendarViewDelta);
  }
  r.add("GET", "users/:user/calendars/:cal/events/delta", eventsDelta);
  r.add("GET", "users/:user/calendar/events/delta", eventsDelta);
}
