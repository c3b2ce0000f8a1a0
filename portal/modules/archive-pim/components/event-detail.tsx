import Link from "next/link";
import { formatDateTimeSeconds, formatSize } from "@/modules/archive/lib/format";
import { formatAtInput } from "@/modules/archive/lib/snapshot-query";
import type { TEventDetail } from "../lib/load-event";
import { pimHref } from "../lib/pim-query";

function Row({ label, children }: { label: string; children: React.ReactNode }) {
  return (
    <div className="grid grid-cols-[10rem_1fr] gap-2 py-1">
      <dt className="font-medium text-slate-700">{label}</dt>
      <dd className="text-slate-900">{children}</dd>
    </div>
  );
}

/** One event (or series) as it was at T, with its ICS download. */
export function EventDetail({
  mailboxId,
  at,
  event,
  occurrence,
}: {
  mailboxId: string;
  at: Date | undefined;
  event: TEventDetail;
  occurrence: string | undefined;
}) {
  const qs = at ? `?at=${encodeURIComponent(formatAtInput(at))}` : "";
  const icsHref = `/archive/${encodeURIComponent(mailboxId)}/calendar/${encodeURIComponent(event.graphId)}/ics${qs}`;
  return (
    <article aria-labelledby="event-title" className="rounded-md border border-slate-200 p-4">
      <p className="text-sm">
        <Link href={pimHref(mailboxId, "calendar", { at })} className="underline">
          Back to the calendar
        </Link>
      </p>
      <h2 id="event-title" className="mt-2 text-xl font-semibold text-slate-900">
        {event.subject || "(no subject)"}
      </h2>
      {occurrence ? <p className="text-sm text-slate-700">Occurrence of {occurrence} in a series.</p> : null}
      <dl className="mt-3 text-sm">
        <Row label="Starts">{event.start ?? "—"}</Row>
        <Row label="Ends">{event.end ?? "—"}</Row>
        {event.isAllDay ? <Row label="All day">Yes</Row> : null}
        <Row label="Location">{event.location || "—"}</Row>
        <Row label="Organizer">
          {event.organizer ? `${event.organizer.name} <${event.organizer.address}>` : "—"}
        </Row>
        {event.showAs ? <Row label="Show as">{event.showAs}</Row> : null}
        {event.isCancelled ? <Row label="Status">Cancelled</Row> : null}
        {event.recurrenceType ? <Row label="Repeats">{event.recurrenceType}</Row> : null}
        {event.cancelledDates.length ? (
          <Row label="Cancelled occurrences">{event.cancelledDates.join(", ")}</Row>
        ) : null}
        {event.categories.length ? <Row label="Categories">{event.categories.join(", ")}</Row> : null}
        <Row label="This version archived">{formatDateTimeSeconds(event.validFrom)}</Row>
      </dl>
      {event.exceptions.length ? (
        <section aria-labelledby="event-exceptions" className="mt-4">
          <h3 id="event-exceptions" className="font-semibold text-slate-900">
            Changed occurrences
          </h3>
          <ul className="mt-1 list-disc pl-5 text-sm">
            {event.exceptions.map((e) => (
              <li key={`${e.originalStart}-${e.start}`}>
                {e.originalStart ?? "?"} → {e.start ?? "?"}: {e.subject || "(no subject)"}
                {e.isCancelled ? " (cancelled)" : ""}
              </li>
            ))}
          </ul>
        </section>
      ) : null}
      {event.parts.length ? (
        <section aria-labelledby="event-attachments" className="mt-4">
          <h3 id="event-attachments" className="font-semibold text-slate-900">
            Attachments (in the .ics file)
          </h3>
          <ul className="mt-1 list-disc pl-5 text-sm">
            {event.parts.map((p) => (
              <li key={p.partId}>
                {p.name} ({formatSize(p.size)})
              </li>
            ))}
          </ul>
        </section>
      ) : null}
      <p className="mt-4">
        <a
          href={icsHref}
          download
          className="inline-block rounded-md bg-brand-700 px-3 py-1.5 text-sm font-semibold text-white hover:bg-brand-800"
        >
          Download .ics
        </a>
      </p>
    </article>
  );
}
