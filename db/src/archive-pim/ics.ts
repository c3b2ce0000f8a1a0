import { getVtimezoneComponent } from "@touch4it/ical-timezones";
import { contentLine, escapeText, paramValue, type TProp } from "./text-format";
import { DAY_MS, ianaZone, utcToWall, wallToUtc } from "./time";

/**
 * An archived event (Graph event JSON as returned by `GET …/events/{id}?$expand=exceptionOccurrences`) as
 * an iCalendar object (RFC 5545): the series master or single event as a VEVENT with RRULE and EXDATE
 * (cancelled occurrences), and one VEVENT per exception with RECURRENCE-ID. Times keep the event's own
 * zone (TZID + a VTIMEZONE block) so a series stays at its wall-clock time across DST changes.
 *
 * Not in the ICS because Graph's event JSON does not carry them: reminders' snooze state and per-attendee
 * comments. File attachments are fetched separately by the sync and embedded when passed in. Deterministic: the same JSON
 * gives the same bytes (DTSTAMP is the event's last modification).
 */

type TJson = Record<string, unknown>;
type TDttz = { dateTime?: string; timeZone?: string };

const PRODID = "-//Coffer//Archive//EN";
const DAYS: Record<string, string> = {
  sunday: "SU",
  monday: "MO",
  tuesday: "TU",
  wednesday: "WE",
  thursday: "TH",
  friday: "FR",
  saturday: "SA",
};
const SETPOS: Record<string, string> = { first: "1", second: "2", third: "3", fourth: "4", last: "-1" };

function str(v: unknown): string {
  return typeof v === "string" ? v : "";
}

/** A Graph `dateTimeTimeZone` → instant (ms). */
function instant(v: unknown): number | null {
  const o = v as TDttz | undefined;
  if (!o?.dateTime) return null;
  const wall = Date.parse(`${o.dateTime.replace(/Z$/, "").slice(0, 23)}Z`);
  if (Number.isNaN(wall)) return null;
  return wallToUtc(wall, o.timeZone ?? "UTC");
}

function pad(n: number, w = 2): string {
  return String(n).padStart(w, "0");
}

function basicDate(ms: number): string {
  const d = new Date(ms);
  return `${d.getUTCFullYear()}${pad(d.getUTCMonth() + 1)}${pad(d.getUTCDate())}`;
}

function basicDateTime(ms: number): string {
  const d = new Date(ms);
  return `${basicDate(ms)}T${pad(d.getUTCHours())}${pad(d.getUTCMinutes())}${pad(d.getUTCSeconds())}`;
}

function utcStamp(iso: unknown): string | null {
  const ms = typeof iso === "string" ? Date.parse(iso) : Number.NaN;
  return Number.isNaN(ms) ? null : `${basicDateTime(ms)}Z`;
}

/** How times of one event are written: UTC, a TZID wall clock, or all-day dates. */
type TTimeMode = { kind: "utc" } | { kind: "zone"; tzid: string } | { kind: "date" };

function timeProp(name: string, ms: number, mode: TTimeMode): TProp {
  if (mode.kind === "date") return { name, params: [["VALUE", "DATE"]], value: basicDate(ms) };
  if (mode.kind === "zone")
    return {
      name,
      params: [["TZID", paramValue(mode.tzid)]],
      value: basicDateTime(utcToWall(ms, mode.tzid)),
    };
  return { name, value: `${basicDateTime(ms)}Z` };
}

/** All-day dates are floating days: the date part of the wall clock as Graph returned it. */
function allDayMs(v: unknown): number | null {
  const o = v as TDttz | undefined;
  if (!o?.dateTime) return null;
  const ms = Date.parse(`${o.dateTime.slice(0, 10)}T00:00:00Z`);
  return Number.isNaN(ms) ? null : ms;
}

function rrule(rec: TJson, mode: TTimeMode, zone: string): string | null {
  const p = (rec.pattern ?? {}) as TJson;
  const r = (rec.range ?? {}) as TJson;
  const type = str(p.type).toLowerCase();
  const parts: string[] = [];
  const interval = Number(p.interval ?? 1) || 1;
  const byDay = ((p.daysOfWeek as string[] | undefined) ?? [])
    .map((d) => DAYS[d.toLowerCase()])
    .filter(Boolean);
  if (type === "daily") parts.push("FREQ=DAILY");
  else if (type === "weekly") {
    parts.push("FREQ=WEEKLY");
    if (byDay.length) parts.push(`BYDAY=${byDay.join(",")}`);
    const wkst = DAYS[str(p.firstDayOfWeek).toLowerCase()];
    if (wkst) parts.push(`WKST=${wkst}`);
  } else if (type === "absolutemonthly") parts.push("FREQ=MONTHLY", `BYMONTHDAY=${Number(p.dayOfMonth)}`);
  else if (type === "relativemonthly")
    parts.push(
      "FREQ=MONTHLY",
      `BYDAY=${byDay.join(",")}`,
      `BYSETPOS=${SETPOS[str(p.index).toLowerCase()] ?? "1"}`,
    );
  else if (type === "absoluteyearly")
    parts.push("FREQ=YEARLY", `BYMONTH=${Number(p.month)}`, `BYMONTHDAY=${Number(p.dayOfMonth)}`);
  else if (type === "relativeyearly")
    parts.push(
      "FREQ=YEARLY",
      `BYMONTH=${Number(p.month)}`,
      `BYDAY=${byDay.join(",")}`,
      `BYSETPOS=${SETPOS[str(p.index).toLowerCase()] ?? "1"}`,
    );
  else return null;
  if (interval !== 1) parts.splice(1, 0, `INTERVAL=${interval}`);
  const rangeType = str(r.type).toLowerCase();
  if (rangeType === "numbered" && Number(r.numberOfOccurrences) > 0)
    parts.push(`COUNT=${Number(r.numberOfOccurrences)}`);
  else if (
    rangeType === "enddate" &&
    /^\d{4}-\d{2}-\d{2}$/.test(str(r.endDate)) &&
    str(r.endDate) !== "0001-01-01"
  ) {
    const endDay = Date.parse(`${str(r.endDate)}T00:00:00Z`);
    // UNTIL: a DATE for all-day series, else the end of that day in the series' zone, in UTC (§3.3.10).
    parts.push(
      mode.kind === "date"
        ? `UNTIL=${basicDate(endDay)}`
        : `UNTIL=${basicDateTime(wallToUtc(endDay + DAY_MS - 1000, zone))}Z`,
    );
  }
  return parts.join(";");
}

const PARTSTAT: Record<string, string> = {
  accepted: "ACCEPTED",
  tentativelyaccepted: "TENTATIVE",
  declined: "DECLINED",
  organizer: "ACCEPTED",
  none: "NEEDS-ACTION",
  notresponded: "NEEDS-ACTION",
};
const BUSY: Record<string, string> = {
  free: "FREE",
  tentative: "TENTATIVE",
  busy: "BUSY",
  oof: "OOF",
  workingelsewhere: "WORKINGELSEWHERE",
};

function mailto(address: string): string {
  return `mailto:${address}`;
}

function eventProps(e: TJson, mode: TTimeMode, uid: string, master?: { mode: TTimeMode }): TProp[] {
  const props: TProp[] = [{ name: "UID", value: uid }];
  const stamp = utcStamp(e.lastModifiedDateTime) ?? utcStamp(e.createdDateTime) ?? "19700101T000000Z";
  props.push({ name: "DTSTAMP", value: stamp });
  const created = utcStamp(e.createdDateTime);
  if (created) props.push({ name: "CREATED", value: created });
  const modified = utcStamp(e.lastModifiedDateTime);
  if (modified) props.push({ name: "LAST-MODIFIED", value: modified });
  if (master && typeof e.originalStart === "string") {
    const orig = Date.parse(e.originalStart);
    if (!Number.isNaN(orig)) {
      const m = master.mode;
      // RECURRENCE-ID in the master's DTSTART form: for an all-day series the original date.
      const origMs = m.kind === "date" ? Math.floor(orig / DAY_MS) * DAY_MS : orig;
      props.push(timeProp("RECURRENCE-ID", origMs, m));
    }
  }
  const start = mode.kind === "date" ? allDayMs(e.start) : instant(e.start);
  const end = mode.kind === "date" ? allDayMs(e.end) : instant(e.end);
  if (start !== null) props.push(timeProp("DTSTART", start, mode));
  if (end !== null) props.push(timeProp("DTEND", end, mode));
  props.push({ name: "SUMMARY", value: escapeText(str(e.subject)) });
  const location = str((e.location as TJson | undefined)?.displayName);
  if (location) props.push({ name: "LOCATION", value: escapeText(location) });
  const body = e.body as { content?: string; contentType?: string } | undefined;
  const text = body?.content ? (body.contentType === "html" ? htmlText(body.content) : body.content) : "";
  if (text) props.push({ name: "DESCRIPTION", value: escapeText(text) });
  const org = (e.organizer as { emailAddress?: { name?: string; address?: string } } | undefined)
    ?.emailAddress;
  if (org?.address)
    props.push({
      name: "ORGANIZER",
      params: org.name ? [["CN", paramValue(org.name)]] : [],
      value: mailto(org.address),
    });
  for (const a of (e.attendees as TJson[] | undefined) ?? []) {
    const ea = (a.emailAddress ?? {}) as { name?: string; address?: string };
    if (!ea.address) continue;
    const type = str(a.type).toLowerCase();
    const params: Array<[string, string]> = [];
    if (ea.name) params.push(["CN", paramValue(ea.name)]);
    params.push([
      "ROLE",
      type === "optional" ? "OPT-PARTICIPANT" : type === "resource" ? "NON-PARTICIPANT" : "REQ-PARTICIPANT",
    ]);
    if (type === "resource") params.push(["CUTYPE", "RESOURCE"]);
    params.push([
      "PARTSTAT",
      PARTSTAT[str((a.status as TJson | undefined)?.response).toLowerCase()] ?? "NEEDS-ACTION",
    ]);
    props.push({ name: "ATTENDEE", params, value: mailto(ea.address) });
  }
  const categories = (e.categories as string[] | undefined) ?? [];
  if (categories.length) props.push({ name: "CATEGORIES", value: categories.map(escapeText).join(",") });
  const sensitivity = str(e.sensitivity).toLowerCase();
  props.push({
    name: "CLASS",
    value: sensitivity === "private" ? "PRIVATE" : sensitivity === "confidential" ? "CONFIDENTIAL" : "PUBLIC",
  });
  const importance = str(e.importance).toLowerCase();
  props.push({ name: "PRIORITY", value: importance === "high" ? "1" : importance === "low" ? "9" : "5" });
  props.push({ name: "STATUS", value: e.isCancelled === true ? "CANCELLED" : "CONFIRMED" });
  const showAs = str(e.showAs).toLowerCase();
  props.push({ name: "TRANSP", value: showAs === "free" ? "TRANSPARENT" : "OPAQUE" });
  if (BUSY[showAs]) props.push({ name: "X-MICROSOFT-CDO-BUSYSTATUS", value: BUSY[showAs] as string });
  const join = str((e.onlineMeeting as TJson | undefined)?.joinUrl);
  if (join) props.push({ name: "URL", value: join });
  return props;
}

function htmlText(html: string): string {
  return html
    .replace(/<(script|style)[\s\S]*?<\/\1>/gi, " ")
    .replace(/<br\s*\/?>|<\/p>|<\/li>|<\/div>/gi, "\n")
    .replace(/<[^>]+>/g, "")
    .replace(/&nbsp;/g, " ")
    .replace(/&amp;/g, "&")
    .replace(/&lt;/g, "<")
    .replace(/&gt;/g, ">")
    .replace(/&quot;/g, '"')
    .replace(/[ \t]+/g, " ")
    .replace(/\n\s*\n+/g, "\n")
    .trim();
}

function modeOf(e: TJson): { mode: TTimeMode; zone: string } {
  const zone = ianaZone(str(e.originalStartTimeZone) || str((e.start as TDttz | undefined)?.timeZone));
  if (e.isAllDay === true) return { mode: { kind: "date" }, zone };
  return { mode: zone === "UTC" ? { kind: "utc" } : { kind: "zone", tzid: zone }, zone };
}

export type TIcsAttachment = { name: string; contentType: string; bytes: Buffer };

/**
 * The ICS text of one archived event (series master with its exceptions, or a single event). File
 * attachments, when given, are embedded in the VEVENT (`ATTACH;VALUE=BINARY;ENCODING=BASE64`, RFC 5545
 * §3.8.1.1): the ICS then carries what Outlook's own export leaves out.
 */
export function renderEventIcs(event: TJson, attachments: readonly TIcsAttachment[] = []): string {
  const { mode, zone } = modeOf(event);
  const uid = str(event.iCalUId) || str(event.id);
  const lines: string[] = [];
  const push = (p: TProp) => lines.push(contentLine(p));
  lines.push("BEGIN:VCALENDAR\r\n");
  push({ name: "VERSION", value: "2.0" });
  push({ name: "PRODID", value: PRODID });
  push({ name: "CALSCALE", value: "GREGORIAN" });
  if (mode.kind === "zone") {
    const vtz = getVtimezoneComponent(mode.tzid);
    if (vtz) lines.push(`${vtz.replace(/\r?\n/g, "\r\n").replace(/(\r\n)?$/, "\r\n")}`);
  }
  lines.push("BEGIN:VEVENT\r\n");
  for (const p of eventProps(event, mode, uid)) push(p);
  const rec = event.recurrence as TJson | null | undefined;
  if (rec) {
    const rule = rrule(rec, mode, zone);
    if (rule) push({ name: "RRULE", value: rule });
    const start = mode.kind === "date" ? allDayMs(event.start) : instant(event.start);
    const cancelled = ((event.cancelledOccurrences as string[] | undefined) ?? [])
      .map((c) => /(\d{4}-\d{2}-\d{2})$/.exec(c)?.[1])
      .filter((d): d is string => !!d);
    if (start !== null && cancelled.length) {
      // Each cancelled day at the master's wall-clock start time, in the master's DTSTART form.
      const recZone = ianaZone(str((rec.range as TJson | undefined)?.recurrenceTimeZone)) || zone;
      const tod = ((utcToWall(start, recZone) % DAY_MS) + DAY_MS) % DAY_MS;
      const ex = cancelled.map((d) => {
        const day = Date.parse(`${d}T00:00:00Z`);
        return mode.kind === "date" ? day : wallToUtc(day + tod, recZone);
      });
      const first = timeProp("EXDATE", ex[0] as number, mode);
      push({ ...first, value: ex.map((ms) => timeProp("EXDATE", ms, mode).value).join(",") });
    }
  }
  for (const a of attachments)
    push({
      name: "ATTACH",
      params: [
        ["FMTTYPE", paramValue(a.contentType)],
        ["ENCODING", "BASE64"],
        ["VALUE", "BINARY"],
        ["X-FILENAME", paramValue(a.name)],
      ],
      value: a.bytes.toString("base64"),
    });
  lines.push("END:VEVENT\r\n");
  for (const x of (event.exceptionOccurrences as TJson[] | undefined) ?? []) {
    const xm =
      x.isAllDay === true
        ? ({ kind: "date" } as TTimeMode)
        : mode.kind === "date"
          ? ({ kind: "utc" } as TTimeMode)
          : mode;
    lines.push("BEGIN:VEVENT\r\n");
    for (const p of eventProps(x, xm, uid, { mode })) push(p);
    lines.push("END:VEVENT\r\n");
  }
  lines.push("END:VCALENDAR\r\n");
  return lines.join("");
}
