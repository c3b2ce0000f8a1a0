import type { Metadata } from "next";
import { onPage, requireMailbox } from "@/lib/authz/guard";
import { EventDetail } from "@/modules/archive-pim/components/event-detail";
import { PimFrame } from "@/modules/archive-pim/components/pim-frame";
import { loadEvent } from "@/modules/archive-pim/lib/load-event";
import { loadSectionStates } from "@/modules/archive-pim/lib/load-pim";
import { parsePimQuery } from "@/modules/archive-pim/lib/pim-query";

export const metadata: Metadata = { title: "Event" };

export default async function Page({
  params,
  searchParams,
}: {
  params: Promise<{ mailboxId: string; eventId: string }>;
  searchParams: Promise<Record<string, string | string[] | undefined>>;
}) {
  const { mailboxId, eventId } = await params;
  const { principal, access } = await onPage(requireMailbox(mailboxId, "content"));
  const now = new Date();
  const raw = await searchParams;
  const q = parsePimQuery(raw, now);
  const occurrence = typeof raw.occurrence === "string" ? raw.occurrence.slice(0, 10) : undefined;
  const states = await loadSectionStates(access.mailbox.id, q.at);
  const event = await onPage(loadEvent(principal, access, decodeURIComponent(eventId), q.at));
  return (
    <PimFrame access={access} section="calendar" states={states} at={q.at} now={now}>
      <EventDetail mailboxId={access.mailbox.id} at={q.at} event={event} occurrence={occurrence} />
    </PimFrame>
  );
}
