import { formatAtInput, parseAt, parseDay, type TRawParams } from "@/modules/archive/lib/snapshot-query";

/**
 * The calendar, contacts, tasks and notes sections keep their state in the URL like the mail view: the
 * snapshot time `at` (same parameter and format as /archive/:mailboxId), and for the calendar the view
 * (month, week, agenda) and the day it shows (`date`, YYYY-MM-DD, UTC).
 */
export type TPimSection = "calendar" | "contacts" | "tasks" | "notes";
export type TCalendarMode = "month" | "week" | "agenda";
export const CALENDAR_MODES: readonly TCalendarMode[] = ["month", "week", "agenda"];

const DAY_MS = 86_400_000;
/** How far the agenda looks ahead from its day. */
export const AGENDA_DAYS = 30;

function one(params: TRawParams, key: string): string {
  const v = params[key];
  return (Array.isArray(v) ? v[0] : v)?.slice(0, 100) ?? "";
}

export type TPimQuery = { at: Date | undefined };
export type TCalendarQuery = TPimQuery & { mode: TCalendarMode; day: Date };

export function parsePimQuery(params: TRawParams, now: Date = new Date()): TPimQuery {
  return { at: parseAt(one(params, "at"), now) };
}

/** The calendar's view and day; the day defaults to the snapshot time's day (or today). */
export function parseCalendarQuery(params: TRawParams, now: Date = new Date()): TCalendarQuery {
  const at = parseAt(one(params, "at"), now);
  const mode = one(params, "view") as TCalendarMode;
  const day = parseDay(one(params, "date")) ?? startOfDay(at ?? now);
  return { at, mode: CALENDAR_MODES.includes(mode) ? mode : "month", day };
}

export function startOfDay(d: Date): Date {
  return new Date(Math.floor(d.getTime() / DAY_MS) * DAY_MS);
}

export function addDays(d: Date, n: number): Date {
  return new Date(d.getTime() + n * DAY_MS);
}

export function dayKey(d: Date): string {
  return d.toISOString().slice(0, 10);
}

/** Monday of the week holding `d` (UTC). */
export function startOfWeek(d: Date): Date {
  const day = startOfDay(d);
  return addDays(day, -((day.getUTCDay() + 6) % 7));
}

/** The [from, to) range a view shows: the month grid (whole weeks), the week, or the agenda's days. */
export function calendarRange(q: Pick<TCalendarQuery, "mode" | "day">): { from: Date; to: Date } {
  if (q.mode === "week") {
    const from = startOfWeek(q.day);
    return { from, to: addDays(from, 7) };
  }
  if (q.mode === "agenda") return { from: q.day, to: addDays(q.day, AGENDA_DAYS) };
  const first = new Date(Date.UTC(q.day.getUTCFullYear(), q.day.getUTCMonth(), 1));
  const next = new Date(Date.UTC(q.day.getUTCFullYear(), q.day.getUTCMonth() + 1, 1));
  const from = startOfWeek(first);
  const lastWeek = startOfWeek(addDays(next, -1));
  return { from, to: addDays(lastWeek, 7) };
}

/** The day the previous / next button goes to. */
export function stepDay(q: Pick<TCalendarQuery, "mode" | "day">, direction: 1 | -1): Date {
  if (q.mode === "week") return addDays(q.day, 7 * direction);
  if (q.mode === "agenda") return addDays(q.day, AGENDA_DAYS * direction);
  return new Date(Date.UTC(q.day.getUTCFullYear(), q.day.getUTCMonth() + direction, 1));
}

export function pimHref(
  mailboxId: string,
  section: TPimSection,
  s: { at?: Date | undefined; mode?: TCalendarMode; day?: Date },
  suffix = "",
): string {
  const p = new URLSearchParams();
  if (s.at) p.set("at", formatAtInput(s.at));
  if (s.mode && s.mode !== "month") p.set("view", s.mode);
  if (s.day) p.set("date", dayKey(s.day));
  const qs = p.toString();
  return `/archive/${encodeURIComponent(mailboxId)}/${section}${suffix}${qs ? `?${qs}` : ""}`;
}
