import type { TCalendarInstance } from "@coffer/db/archive-pim/index";
import Link from "next/link";
import {
  AGENDA_DAYS,
  addDays,
  CALENDAR_MODES,
  calendarRange,
  dayKey,
  pimHref,
  stepDay,
  type TCalendarQuery,
} from "../lib/pim-query";

/**
 * Month, week and agenda views of the calendar as it was at T. Plain tables and lists with real links,
 * so the keyboard (Tab, Enter) and screen readers move through days and events without scripts.
 */
const WEEKDAYS = ["Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday"];
const MODE_LABEL = { month: "Month", week: "Week", agenda: "Agenda" } as const;

function time(d: Date): string {
  return d.toISOString().slice(11, 16);
}

function monthTitle(d: Date): string {
  return d.toLocaleString("en-US", { month: "long", year: "numeric", timeZone: "UTC" });
}

function longDay(d: Date): string {
  return d.toLocaleString("en-US", {
    weekday: "long",
    day: "numeric",
    month: "long",
    year: "numeric",
    timeZone: "UTC",
  });
}

/** The instances touching a UTC day. */
function onDay(instances: TCalendarInstance[], day: Date): TCalendarInstance[] {
  const from = day.getTime();
  const to = addDays(day, 1).getTime();
  return instances.filter(
    (i) => i.start.getTime() < to && (i.end.getTime() > from || i.start.getTime() === from),
  );
}

export function eventHref(mailboxId: string, q: Pick<TCalendarQuery, "at">, i: TCalendarInstance): string {
  const p = new URLSearchParams();
  if (q.at) p.set("at", q.at.toISOString().slice(0, 19));
  if (i.occurrenceDate) p.set("occurrence", i.occurrenceDate);
  const qs = p.toString();
  return `/archive/${encodeURIComponent(mailboxId)}/calendar/${encodeURIComponent(i.graphId)}${qs ? `?${qs}` : ""}`;
}

function EventLink({ mailboxId, q, i }: { mailboxId: string; q: TCalendarQuery; i: TCalendarInstance }) {
  const kind = i.kind === "occurrence" ? " (series)" : i.kind === "exception" ? " (changed occurrence)" : "";
  return (
    <Link
      href={eventHref(mailboxId, q, i)}
      className="block truncate rounded px-1 text-sm text-brand-900 underline-offset-2 hover:underline focus:outline-2 focus:outline-brand-700"
    >
      {i.isAllDay ? "All day" : time(i.start)} {i.subject || "(no subject)"}
      <span className="sr-only">{kind}</span>
    </Link>
  );
}

export function CalendarView({
  mailboxId,
  q,
  instances,
}: {
  mailboxId: string;
  q: TCalendarQuery;
  instances: TCalendarInstance[];
}) {
  const range = calendarRange(q);
  const title =
    q.mode === "month" ? monthTitle(q.day) : `${longDay(range.from)} – ${longDay(addDays(range.to, -1))}`;
  return (
    <section aria-labelledby="calendar-title">
      <div className="flex flex-wrap items-center justify-between gap-3">
        <h2 id="calendar-title" className="text-lg font-semibold text-slate-900">
          {MODE_LABEL[q.mode]}: {title} <span className="text-sm font-normal text-slate-600">(UTC)</span>
        </h2>
        <nav aria-label="Calendar view" className="flex flex-wrap gap-2 text-sm">
          <Link
            className="rounded border border-slate-300 px-2 py-1 hover:bg-slate-50"
            href={pimHref(mailboxId, "calendar", { at: q.at, mode: q.mode, day: stepDay(q, -1) })}
          >
            Previous {q.mode === "agenda" ? `${AGENDA_DAYS} days` : q.mode}
          </Link>
          <Link
            className="rounded border border-slate-300 px-2 py-1 hover:bg-slate-50"
            href={pimHref(mailboxId, "calendar", { at: q.at, mode: q.mode, day: stepDay(q, 1) })}
          >
            Next {q.mode === "agenda" ? `${AGENDA_DAYS} days` : q.mode}
          </Link>
          {CALENDAR_MODES.map((m) => (
            <Link
              key={m}
              aria-current={m === q.mode ? "page" : undefined}
              className={`rounded border px-2 py-1 ${m === q.mode ? "border-brand-700 bg-brand-50 font-semibold text-brand-900" : "border-slate-300 hover:bg-slate-50"}`}
              href={pimHref(mailboxId, "calendar", { at: q.at, mode: m, day: q.day })}
            >
              {MODE_LABEL[m]}
            </Link>
          ))}
        </nav>
      </div>
      <div className="mt-4">
        {q.mode === "month" ? (
          <MonthGrid mailboxId={mailboxId} q={q} instances={instances} from={range.from} to={range.to} />
        ) : q.mode === "week" ? (
          <WeekTable mailboxId={mailboxId} q={q} instances={instances} from={range.from} />
        ) : (
          <Agenda mailboxId={mailboxId} q={q} instances={instances} from={range.from} />
        )}
      </div>
    </section>
  );
}

function MonthGrid({
  mailboxId,
  q,
  instances,
  from,
  to,
}: {
  mailboxId: string;
  q: TCalendarQuery;
  instances: TCalendarInstance[];
  from: Date;
  to: Date;
}) {
  const weeks: Date[][] = [];
  for (let d = from; d < to; d = addDays(d, 7)) weeks.push([0, 1, 2, 3, 4, 5, 6].map((n) => addDays(d, n)));
  const month = q.day.getUTCMonth();
  return (
    <table className="w-full table-fixed border-collapse text-left">
      <caption className="sr-only">{monthTitle(q.day)}, one row per week</caption>
      <thead>
        <tr>
          {WEEKDAYS.map((w) => (
            <th
              key={w}
              scope="col"
              className="border border-slate-200 bg-slate-50 px-1 py-1 text-xs font-semibold"
            >
              <abbr title={w} className="no-underline">
                {w.slice(0, 3)}
              </abbr>
            </th>
          ))}
        </tr>
      </thead>
      <tbody>
        {weeks.map((week) => (
          <tr key={dayKey(week[0] as Date)}>
            {week.map((day) => {
              const items = onDay(instances, day);
              return (
                <td
                  key={dayKey(day)}
                  className={`h-24 border border-slate-200 align-top ${day.getUTCMonth() === month ? "" : "bg-slate-50"}`}
                >
                  <div className="px-1 text-xs font-semibold text-slate-700">
                    <span aria-hidden="true">{day.getUTCDate()}</span>
                    <span className="sr-only">{longDay(day)}</span>
                  </div>
                  {items.length ? (
                    <ul aria-label={`Events on ${longDay(day)}`}>
                      {items.map((i) => (
                        <li key={`${i.graphId}-${i.start.toISOString()}`}>
                          <EventLink mailboxId={mailboxId} q={q} i={i} />
                        </li>
                      ))}
                    </ul>
                  ) : null}
                </td>
              );
            })}
          </tr>
        ))}
      </tbody>
    </table>
  );
}

function WeekTable({
  mailboxId,
  q,
  instances,
  from,
}: {
  mailboxId: string;
  q: TCalendarQuery;
  instances: TCalendarInstance[];
  from: Date;
}) {
  const days = [0, 1, 2, 3, 4, 5, 6].map((n) => addDays(from, n));
  return (
    <table className="w-full border-collapse text-left text-sm">
      <caption className="sr-only">The week, one row per day</caption>
      <thead>
        <tr>
          <th scope="col" className="w-56 border border-slate-200 bg-slate-50 px-2 py-1">
            Day
          </th>
          <th scope="col" className="border border-slate-200 bg-slate-50 px-2 py-1">
            Events
          </th>
        </tr>
      </thead>
      <tbody>
        {days.map((day) => {
          const items = onDay(instances, day);
          return (
            <tr key={dayKey(day)}>
              <th scope="row" className="border border-slate-200 px-2 py-2 align-top font-medium">
                {longDay(day)}
              </th>
              <td className="border border-slate-200 px-2 py-2 align-top">
                {items.length ? (
                  <ul>
                    {items.map((i) => (
                      <li key={`${i.graphId}-${i.start.toISOString()}`}>
                        <EventLink mailboxId={mailboxId} q={q} i={i} />
                        {i.location ? (
                          <span className="px-1 text-xs text-slate-600">{i.location}</span>
                        ) : null}
                      </li>
                    ))}
                  </ul>
                ) : (
                  <span className="text-slate-600">No events</span>
                )}
              </td>
            </tr>
          );
        })}
      </tbody>
    </table>
  );
}

function Agenda({
  mailboxId,
  q,
  instances,
  from,
}: {
  mailboxId: string;
  q: TCalendarQuery;
  instances: TCalendarInstance[];
  from: Date;
}) {
  const days = Array.from({ length: AGENDA_DAYS }, (_, n) => addDays(from, n))
    .map((day) => ({ day, items: onDay(instances, day) }))
    .filter((d) => d.items.length > 0);
  if (!days.length) {
    return <p className="text-slate-700">No events in these {AGENDA_DAYS} days.</p>;
  }
  return (
    <ol aria-label="Agenda" className="space-y-4">
      {days.map(({ day, items }) => (
        <li key={dayKey(day)}>
          <h3 className="text-sm font-semibold text-slate-900">{longDay(day)}</h3>
          <ul className="mt-1 divide-y divide-slate-100 rounded border border-slate-200">
            {items.map((i) => (
              <li key={`${i.graphId}-${i.start.toISOString()}`} className="px-2 py-1.5">
                <EventLink mailboxId={mailboxId} q={q} i={i} />
                <span className="px-1 text-xs text-slate-600">
                  {i.isAllDay ? "All day" : `${time(i.start)}–${time(i.end)} UTC`}
                  {i.location ? ` · ${i.location}` : ""}
                  {i.kind === "exception"
                    ? " · changed occurrence"
                    : i.kind === "occurrence"
                      ? " · series"
                      : ""}
                </span>
              </li>
            ))}
          </ul>
        </li>
      ))}
    </ol>
  );
}
