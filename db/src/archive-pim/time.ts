import { findIana } from "windows-iana";

/**
 * Time zones of archived events. Graph names zones the Windows way ("W. Europe Standard Time") or by IANA
 * name; ICS and the portal need IANA names and wall-clock arithmetic, done here with Intl.
 */

export const DAY_MS = 86_400_000;

/** The IANA zone of a Windows or IANA zone name (UTC when unknown). */
export function ianaZone(name: string | null | undefined): string {
  if (!name || /^(utc|gmt|etc\/utc)$/i.test(name)) return "UTC";
  const w = findIana(name);
  const candidate = w?.[0] ?? name;
  try {
    new Intl.DateTimeFormat("en-US", { timeZone: candidate });
    return candidate;
  } catch {
    return "UTC";
  }
}

const formatters = new Map<string, Intl.DateTimeFormat>();

/** local = utc + offset (ms) for the zone at that instant. */
export function zoneOffsetMs(utcMs: number, zone: string): number {
  const iana = ianaZone(zone);
  if (iana === "UTC") return 0;
  let f = formatters.get(iana);
  if (!f) {
    f = new Intl.DateTimeFormat("en-US", {
      timeZone: iana,
      hourCycle: "h23",
      year: "numeric",
      month: "2-digit",
      day: "2-digit",
      hour: "2-digit",
      minute: "2-digit",
      second: "2-digit",
    });
    formatters.set(iana, f);
  }
  const p = Object.fromEntries(f.formatToParts(new Date(utcMs)).map((x) => [x.type, x.value]));
  const asUtc = Date.UTC(
    Number(p.year),
    Number(p.month) - 1,
    Number(p.day),
    Number(p.hour),
    Number(p.minute),
    Number(p.second),
  );
  return asUtc - Math.floor(utcMs / 1000) * 1000;
}

/** Wall clock (as-if-UTC ms) → instant. */
export function wallToUtc(wallMs: number, zone: string): number {
  const guess = wallMs - zoneOffsetMs(wallMs, zone);
  return wallMs - zoneOffsetMs(guess, zone);
}

export function utcToWall(utcMs: number, zone: string): number {
  return utcMs + zoneOffsetMs(utcMs, zone);
}

export function dayNumber(date: string): number {
  return Math.floor(Date.parse(`${date.slice(0, 10)}T00:00:00Z`) / DAY_MS);
}

export function dayToDate(day: number): string {
  return new Date(day * DAY_MS).toISOString().slice(0, 10);
}
