import { getCalendarView } from "@coffer/db/archive-pim/index";
import type { Metadata } from "next";
import { onPage, requireMailbox } from "@/lib/authz/guard";
import { db } from "@/lib/db";
import { auditRead } from "@/modules/archive/lib/audit-read";
import { CalendarView } from "@/modules/archive-pim/components/calendar-view";
import { PimFrame } from "@/modules/archive-pim/components/pim-frame";
import { loadSectionStates, stateOf } from "@/modules/archive-pim/lib/load-pim";
import { calendarRange, dayKey, parseCalendarQuery } from "@/modules/archive-pim/lib/pim-query";

export const metadata: Metadata = { title: "Calendar" };

export default async function Page({
  params,
  searchParams,
}: {
  params: Promise<{ mailboxId: string }>;
  searchParams: Promise<Record<string, string | string[] | undefined>>;
}) {
  const { mailboxId } = await params;
  const { principal, access } = await onPage(requireMailbox(mailboxId, "metadata"));
  const now = new Date();
  const q = parseCalendarQuery(await searchParams, now);
  const states = await loadSectionStates(access.mailbox.id, q.at);
  const present = access.canReadContent && stateOf(states, "calendar").state === "present";
  const range = calendarRange(q);
  const instances = present
    ? await onPage(
        (async () => {
          await auditRead(principal, access, "calendar.view", `${q.mode}:${dayKey(range.from)}`, {
            from: range.from.toISOString(),
            to: range.to.toISOString(),
            at: q.at?.toISOString() ?? null,
          });
          return getCalendarView(db(), access.mailbox.id, { ...(q.at ? { at: q.at } : {}), ...range });
        })(),
      )
    : [];
  return (
    <PimFrame
      access={access}
      section="calendar"
      states={states}
      at={q.at}
      now={now}
      extraParams={{ ...(q.mode !== "month" ? { view: q.mode } : {}), date: dayKey(q.day) }}
    >
      <CalendarView mailboxId={access.mailbox.id} q={q} instances={instances} />
    </PimFrame>
  );
}
