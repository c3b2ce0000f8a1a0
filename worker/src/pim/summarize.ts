import type { TContentInsert } from "@coffer/db/archive/index";
import type { DataType } from "@coffer/db/schema";
import type { TPimType } from "./pim-source";

/**
 * What the archive keeps beside an item's original JSON: a searchable content row (title, people, body
 * text) and the version's metadata. Calendar metadata carries everything the portal's month/week/agenda
 * views need to expand a series at a point in time without reading the blob (start, end, recurrence,
 * cancelled occurrences, exceptions).
 */

type TJson = Record<string, unknown>;

export const DATA_TYPE_OF: Record<TPimType, DataType> = {
  calendar: "calendar",
  contacts: "contacts",
  tasks: "tasks",
  notes: "notes",
};

export type TPimSummary = {
  content: Omit<TContentInsert, "sha256">;
  title: string;
  receivedAt: Date;
  categories: string[];
  meta: TJson;
  sortSubject: string;
  sortSender: string;
};

function str(v: unknown): string {
  return typeof v === "string" ? v : "";
}

function htmlToText(html: string): string {
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

function bodyText(body: unknown): string {
  const b = body as { content?: string; contentType?: string } | undefined;
  if (!b?.content) return "";
  return b.contentType?.toLowerCase() === "html" ? htmlToText(b.content) : b.content;
}

/** Graph `dateTimeTimeZone` in UTC (what the sync asks for) → Date. */
export function dttzToDate(v: unknown): Date | null {
  const o = v as { dateTime?: string; timeZone?: string } | undefined;
  if (!o?.dateTime) return null;
  const zone = (o.timeZone ?? "UTC").toUpperCase();
  const d = new Date(zone === "UTC" ? `${o.dateTime.replace(/Z$/, "")}Z` : o.dateTime);
  return Number.isNaN(d.getTime()) ? null : d;
}

function date(v: unknown): Date | null {
  if (typeof v !== "string") return null;
  const d = new Date(v);
  return Number.isNaN(d.getTime()) ? null : d;
}

function address(v: unknown): { name: string; address: string } | null {
  const e = (v as { emailAddress?: { name?: string; address?: string } } | undefined)?.emailAddress;
  return e ? { name: e.name ?? "", address: e.address ?? "" } : null;
}

function eventMeta(j: TJson): TJson {
  const exceptions = ((j.exceptionOccurrences as TJson[] | undefined) ?? []).map((x) => ({
    id: x.id,
    originalStart: x.originalStart ?? null,
    start: dttzToDate(x.start)?.toISOString() ?? null,
    end: dttzToDate(x.end)?.toISOString() ?? null,
    subject: x.subject ?? "",
    location: (x.location as TJson | undefined)?.displayName ?? "",
    isCancelled: x.isCancelled === true,
    showAs: x.showAs ?? null,
  }));
  return {
    type: j.type ?? "singleInstance",
    subject: j.subject ?? "",
    start: dttzToDate(j.start)?.toISOString() ?? null,
    end: dttzToDate(j.end)?.toISOString() ?? null,
    isAllDay: j.isAllDay === true,
    originalStartTimeZone: j.originalStartTimeZone ?? null,
    location: (j.location as TJson | undefined)?.displayName ?? "",
    organizer: address(j.organizer),
    showAs: j.showAs ?? null,
    sensitivity: j.sensitivity ?? null,
    isCancelled: j.isCancelled === true,
    recurrence: j.recurrence ?? null,
    cancelledDates: ((j.cancelledOccurrences as string[] | undefined) ?? [])
      .map((c) => /(\d{4}-\d{2}-\d{2})$/.exec(c)?.[1])
      .filter((d): d is string => !!d),
    exceptions,
    iCalUId: j.iCalUId ?? null,
    hasAttachments: j.hasAttachments === true,
  };
}

export function summarize(type: TPimType, j: TJson): TPimSummary {
  const categories = Array.isArray(j.categories) ? (j.categories as unknown[]).map(String) : [];
  const created = date(j.createdDateTime) ?? new Date(0);
  const base = {
    dataType: DATA_TYPE_OF[type],
    internetMessageId: null,
    conversationId: null,
    ccAddresses: [] as string[],
    bccAddresses: [] as string[],
    hasAttachments: j.hasAttachments === true,
    attachmentNames: [] as string[],
    parseError: null,
  };
  if (type === "calendar") {
    const meta = eventMeta(j);
    const org = address(j.organizer);
    const attendees = ((j.attendees as TJson[] | undefined) ?? [])
      .map(address)
      .filter((a): a is { name: string; address: string } => !!a);
    const title = str(j.subject);
    const start = meta.start ? new Date(String(meta.start)) : created;
    return {
      title,
      receivedAt: start,
      categories,
      meta,
      sortSubject: title.toLowerCase(),
      sortSender: (org?.name || org?.address || "").toLowerCase(),
      content: {
        ...base,
        title,
        fromAddress: org?.address ?? null,
        fromName: org?.name ?? null,
        toAddresses: attendees.map((a) => a.address),
        sentAt: start,
        bodyText: [str(meta.location), bodyText(j.body)].filter(Boolean).join("\n"),
        meta: { type: meta.type, start: meta.start, end: meta.end, location: meta.location },
        recipientNames: attendees.map((a) => a.name).join(" "),
      },
    };
  }
  if (type === "contacts") {
    const title = str(j.displayName) || [str(j.givenName), str(j.surname)].filter(Boolean).join(" ");
    const emails = ((j.emailAddresses as TJson[] | undefined) ?? [])
      .map((e) => str(e.address))
      .filter(Boolean);
    const phones = ((j.phones as TJson[] | undefined) ?? []).map((p) => str(p.number)).filter(Boolean);
    const company = str(j.companyName);
    return {
      title,
      receivedAt: created,
      categories,
      meta: {
        displayName: title,
        companyName: company,
        jobTitle: str(j.jobTitle),
        emails,
        phones: phones.length,
      },
      sortSubject: (str(j.fileAs) || title).toLowerCase(),
      sortSender: company.toLowerCase(),
      content: {
        ...base,
        title,
        fromAddress: emails[0] ?? null,
        fromName: title,
        toAddresses: emails.slice(1),
        sentAt: null,
        bodyText: [company, str(j.jobTitle), str(j.department), phones.join(" "), str(j.personalNotes)]
          .filter(Boolean)
          .join("\n"),
        meta: { companyName: company, jobTitle: str(j.jobTitle) },
        recipientNames: "",
      },
    };
  }
  if (type === "tasks") {
    const title = str(j.title);
    const steps = ((j.checklistItems as TJson[] | undefined) ?? []).map((c) => ({
      displayName: str(c.displayName),
      isChecked: c.isChecked === true,
    }));
    return {
      title,
      receivedAt: created,
      categories,
      meta: {
        title,
        status: j.status ?? null,
        importance: j.importance ?? null,
        due: dttzToDate(j.dueDateTime)?.toISOString() ?? null,
        completed: dttzToDate(j.completedDateTime)?.toISOString() ?? null,
        isRecurring: !!j.recurrence,
        steps,
      },
      sortSubject: title.toLowerCase(),
      sortSender: "",
      content: {
        ...base,
        title,
        fromAddress: null,
        fromName: null,
        toAddresses: [],
        sentAt: null,
        bodyText: [bodyText(j.body), ...steps.map((s) => s.displayName)].filter(Boolean).join("\n"),
        meta: { status: j.status ?? null },
        recipientNames: "",
      },
    };
  }
  const title = str(j.subject);
  return {
    title,
    receivedAt: date(j.lastModifiedDateTime) ?? created,
    categories,
    meta: { subject: title },
    sortSubject: title.toLowerCase(),
    sortSender: "",
    content: {
      ...base,
      title,
      fromAddress: null,
      fromName: null,
      toAddresses: [],
      sentAt: null,
      bodyText: bodyText(j.body),
      meta: {},
      recipientNames: "",
    },
  };
}
