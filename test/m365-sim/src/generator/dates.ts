import type { Rng } from "./random";

/**
 * Every generated date is relative to this fixed instant, never to the clock, so a seed gives
 * the same tenant today and next year. The archive engine protects the last 14 days first, so
 * a good share of mail lands in the 14 days before it.
 */
export const GENERATOR_EPOCH = "2026-11-01T00:00:00Z";
export const EPOCH_MS = Date.parse(GENERATOR_EPOCH);

export const MINUTE = 60_000;
export const HOUR = 60 * MINUTE;
export const DAY = 24 * HOUR;
const HISTORY = 3 * 365 * DAY;
const RECENT = 14 * DAY;

/**
 * Age of a conversation start: 12 % uniform in the last 14 days; the rest with density falling as
 * 1/sqrt(age) over three years (age = 3y·u²), so recent months are denser than old ones. About a
 * fifth of all mail ends up in the last 14 days.
 */
export function sampleAge(rng: Rng): number {
  const u = rng.next();
  const age = rng.chance(0.12) ? u * RECENT : HISTORY * u * u;
  // Whole seconds: the Date header has no fractions, and receivedDateTime should match it
  return Math.floor(age / 1000) * 1000;
}

/** RFC 3339 UTC without fractions, as Graph returns receivedDateTime. */
export function isoUtc(ms: number): string {
  // toISOString() is always YYYY-MM-DDTHH:mm:ss.sssZ for the generator's years
  return `${new Date(ms).toISOString().slice(0, 19)}Z`;
}

export function isoDate(ms: number): string {
  return new Date(ms).toISOString().slice(0, 10);
}

const WEEKDAYS = ["Sun", "Mon", "Tue", "Wed", "Thu", "Fri", "Sat"];
const MONTHS = ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"];

/** RFC 5322 Date header in a sender's fixed UTC offset (minutes east of UTC). */
export function rfc5322Date(ms: number, offsetMinutes: number): string {
  const local = new Date(ms + offsetMinutes * MINUTE);
  const pad = (n: number) => String(n).padStart(2, "0");
  const sign = offsetMinutes < 0 ? "-" : "+";
  const abs = Math.abs(offsetMinutes);
  return (
    `${WEEKDAYS[local.getUTCDay()]}, ${local.getUTCDate()} ${MONTHS[local.getUTCMonth()]} ${local.getUTCFullYear()} ` +
    `${pad(local.getUTCHours())}:${pad(local.getUTCMinutes())}:${pad(local.getUTCSeconds())} ` +
    `${sign}${pad(Math.floor(abs / 60))}${pad(abs % 60)}`
  );
}

/** Windows time zone names (what Graph uses in dateTimeTimeZone) and their IANA zones. */
export const TIME_ZONES = {
  UTC: "UTC",
  "W. Europe Standard Time": "Europe/Berlin",
  "GMT Standard Time": "Europe/London",
  "Pacific Standard Time": "America/Los_Angeles",
  "Eastern Standard Time": "America/New_York",
  "China Standard Time": "Asia/Shanghai",
  "Tokyo Standard Time": "Asia/Tokyo",
  "Greenwich Standard Time": "Atlantic/Reykjavik",
} as const;
export type WindowsTimeZone = keyof typeof TIME_ZONES;

const formatters = new Map<string, Intl.DateTimeFormat>();

function zoneOffsetMs(utcMs: number, iana: string): number {
  let format = formatters.get(iana);
  if (!format) {
    format = new Intl.DateTimeFormat("en-US", {
      timeZone: iana,
      hourCycle: "h23",
      year: "numeric",
      month: "2-digit",
      day: "2-digit",
      hour: "2-digit",
      minute: "2-digit",
      second: "2-digit",
    });
    formatters.set(iana, format);
  }
  const parts = Object.fromEntries(format.formatToParts(new Date(utcMs)).map((p) => [p.type, p.value]));
  const asUtc = Date.UTC(
    Number(parts.year),
    Number(parts.month) - 1,
    Number(parts.day),
    Number(parts.hour),
    Number(parts.minute),
    Number(parts.second),
  );
  return asUtc - utcMs;
}

/** The UTC instant of a wall-clock time (given as if it were UTC) in a Windows time zone. */
export function wallClockToUtc(wallMs: number, zone: WindowsTimeZone): number {
  const iana = TIME_ZONES[zone];
  const guess = wallMs - zoneOffsetMs(wallMs, iana);
  return wallMs - zoneOffsetMs(guess, iana);
}

/** Graph dateTimeTimeZone: local wall-clock time with seven fraction digits, plus the zone name. */
export function graphDateTime(wallMs: number, zone: WindowsTimeZone): { dateTime: string; timeZone: string } {
  return { dateTime: new Date(wallMs).toISOString().replace(/\.\d{3}Z$/, ".0000000"), timeZone: zone };
}

/** Midnight (as a wall-clock value) of the day that contains `ms`. */
export function startOfDay(ms: number): number {
  return Math.floor(ms / DAY) * DAY;
}
