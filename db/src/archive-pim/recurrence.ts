import { DAY_MS, dayNumber } from "./time";

/**
 * Expands Graph's `patternedRecurrence` into occurrence days for the portal's calendar views, with
 * Exchange's rules: every pattern type Graph documents (daily, weekly, absolute/relative monthly and
 * yearly) and every range type (endDate, numbered, noEnd). Days are counted in the recurrence's own time
 * zone; the caller adds the master's time of day. (The simulator has its own copy: it must not depend on
 * the product it tests.)
 */

export interface PatternedRecurrence {
  pattern: {
    type: string;
    interval?: number;
    daysOfWeek?: string[];
    firstDayOfWeek?: string;
    dayOfMonth?: number;
    month?: number;
    index?: string;
  };
  range: {
    type: string;
    startDate: string;
    endDate?: string;
    numberOfOccurrences?: number;
    recurrenceTimeZone?: string;
  };
}

const DOW = ["sunday", "monday", "tuesday", "wednesday", "thursday", "friday", "saturday"];
const INDEX = ["first", "second", "third", "fourth"];
/** Enough periods for a daily series of 50 years; a guard against runaway patterns. */
const MAX_PERIODS = 20_000;

function dowOf(day: number): number {
  // 1970-01-01 was a Thursday
  return (day + 4) % 7;
}

function ymd(day: number): { y: number; m: number; d: number } {
  const dt = new Date(day * DAY_MS);
  return { y: dt.getUTCFullYear(), m: dt.getUTCMonth(), d: dt.getUTCDate() };
}

function dayOf(y: number, m: number, d: number): number {
  return Math.floor(Date.UTC(y, m, d) / DAY_MS);
}

function monthLength(y: number, m: number): number {
  return new Date(Date.UTC(y, m + 1, 0)).getUTCDate();
}

/** The days of `month` that match a relative pattern (index + daysOfWeek). */
function relativeDay(y: number, m: number, daysOfWeek: string[], index: string): number | undefined {
  const wanted = new Set(daysOfWeek.map((d) => DOW.indexOf(d.toLowerCase())).filter((d) => d >= 0));
  if (wanted.size === 0) return undefined;
  const len = monthLength(y, m);
  const matches: number[] = [];
  for (let d = 1; d <= len; d++) {
    const day = dayOf(y, m, d);
    if (wanted.has(dowOf(day))) matches.push(day);
  }
  if (index.toLowerCase() === "last") return matches[matches.length - 1];
  const i = INDEX.indexOf(index.toLowerCase());
  return matches[Math.max(i, 0)];
}

/**
 * Occurrence days (days since 1970 in the recurrence zone), ascending, from the range start up to
 * `toDay` inclusive (and the range's own end). Days before `fromDay` are counted (numbered ranges)
 * but not returned.
 */
export function occurrenceDays(rec: PatternedRecurrence, fromDay: number, toDay: number): number[] {
  const p = rec.pattern;
  const r = rec.range;
  const interval = Math.max(1, p.interval ?? 1);
  const start = dayNumber(r.startDate);
  const endDay =
    r.type === "endDate" && r.endDate && r.endDate !== "0001-01-01"
      ? dayNumber(r.endDate)
      : Number.POSITIVE_INFINITY;
  const maxCount = r.type === "numbered" ? Math.max(0, r.numberOfOccurrences ?? 0) : Number.POSITIVE_INFINITY;
  const last = Math.min(endDay, toDay);
  const out: number[] = [];
  let count = 0;
  const take = (day: number): boolean => {
    // returns false when the enumeration is over
    if (day > last || count >= maxCount) return false;
    if (day < start) return true;
    count++;
    if (day >= fromDay) out.push(day);
    return true;
  };
  const s = ymd(start);
  const type = p.type.toLowerCase();
  for (let k = 0; k < MAX_PERIODS; k++) {
    let candidates: number[] = [];
    if (type === "daily") candidates = [start + k * interval];
    else if (type === "weekly") {
      const first = DOW.indexOf((p.firstDayOfWeek ?? "sunday").toLowerCase());
      const weekStart = start - ((dowOf(start) - Math.max(first, 0) + 7) % 7);
      const base = weekStart + k * 7 * interval;
      candidates = (p.daysOfWeek ?? [DOW[dowOf(start)] as string])
        .map((d) => DOW.indexOf(d.toLowerCase()))
        .filter((d) => d >= 0)
        .map((d) => base + ((d - dowOf(base) + 7) % 7))
        .sort((a, b) => a - b);
    } else if (type === "absolutemonthly" || type === "relativemonthly") {
      const mi = s.m + k * interval;
      const y = s.y + Math.floor(mi / 12);
      const m = mi % 12;
      const day =
        type === "absolutemonthly"
          ? dayOf(y, m, Math.min(p.dayOfMonth ?? s.d, monthLength(y, m)))
          : relativeDay(y, m, p.daysOfWeek ?? [], p.index ?? "first");
      candidates = day === undefined ? [] : [day];
    } else if (type === "absoluteyearly" || type === "relativeyearly") {
      const y = s.y + k * interval;
      const m = (p.month ?? s.m + 1) - 1;
      const day =
        type === "absoluteyearly"
          ? dayOf(y, m, Math.min(p.dayOfMonth ?? s.d, monthLength(y, m)))
          : relativeDay(y, m, p.daysOfWeek ?? [], p.index ?? "first");
      candidates = day === undefined ? [] : [day];
    } else return out;
    for (const c of candidates) if (!take(c)) return out;
    if (candidates.length && (candidates[0] as number) > last) return out;
  }
  return out;
}
