import "server-only";
import { getPimItem, type TPimItem, type TPimPart } from "@coffer/db/archive-pim/index";
import type { TPrincipal } from "@/lib/auth/identity";
import type { TMailboxAccess } from "@/lib/authz/policy";
import { db } from "@/lib/db";
import { AppError } from "@/lib/errors";
import { auditRead } from "@/modules/archive/lib/audit-read";

/** What the event page shows, from the archived version's metadata (summarize.ts writes it). */
export type TEventDetail = {
  graphId: string;
  versionId: number;
  subject: string;
  start: string | null;
  end: string | null;
  isAllDay: boolean;
  location: string;
  organizer: { name: string; address: string } | null;
  showAs: string | null;
  isCancelled: boolean;
  recurrenceType: string | null;
  cancelledDates: string[];
  exceptions: Array<{
    originalStart: string | null;
    start: string | null;
    subject: string;
    isCancelled: boolean;
  }>;
  categories: string[];
  parts: TPimPart[];
  validFrom: Date;
};

export async function loadEvent(
  principal: TPrincipal,
  access: TMailboxAccess,
  graphId: string,
  at: Date | undefined,
): Promise<TEventDetail> {
  const item = await getPimItem(db(), access.mailbox.id, "calendar", graphId, at ? { at } : {});
  if (!item) throw new AppError("not_found", "This event is not in the calendar at the chosen time.");
  await auditRead(principal, access, "calendar.event_view", graphId, {
    versionId: item.versionId,
    sha256: item.sha256,
    at: at?.toISOString() ?? null,
  });
  return toDetail(item);
}

function str(v: unknown): string {
  return typeof v === "string" ? v : "";
}

function toDetail(item: TPimItem & { parts: TPimPart[] }): TEventDetail {
  const m = item.meta;
  const rec = m.recurrence as { pattern?: { type?: string } } | null | undefined;
  const exceptions = Array.isArray(m.exceptions) ? (m.exceptions as Array<Record<string, unknown>>) : [];
  return {
    graphId: item.graphId,
    versionId: item.versionId,
    subject: str(m.subject) || item.title,
    start: str(m.start) || null,
    end: str(m.end) || null,
    isAllDay: m.isAllDay === true,
    location: str(m.location),
    organizer: (m.organizer as TEventDetail["organizer"]) ?? null,
    showAs: str(m.showAs) || null,
    isCancelled: m.isCancelled === true,
    recurrenceType: rec?.pattern?.type ?? null,
    cancelledDates: Array.isArray(m.cancelledDates) ? (m.cancelledDates as string[]) : [],
    exceptions: exceptions.map((e) => ({
      originalStart: str(e.originalStart) || null,
      start: str(e.start) || null,
      subject: str(e.subject),
      isCancelled: e.isCancelled === true,
    })),
    categories: item.categories,
    parts: item.parts,
    validFrom: item.validFrom,
  };
}
