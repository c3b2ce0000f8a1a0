/**
 * Wall-clock times in Windows or IANA time zones, the way Graph's `dateTimeTimeZone` carries them.
 * Exchange stores an event's start as an instant plus its original zone; Graph answers in UTC unless
 * `Prefer: outlook.timezone="…"` asks for another zone. Intl does the zone arithmetic.
 */

/** The Windows zone names the simulator knows (Graph's default naming), with their IANA zones. */
export const WINDOWS_ZONES: Record<string, string> = {
  UTC: "UTC",
  "W. Europe Standard Time": "Europe/Berlin",
  "Romance Standard Time": "Europe/Paris",
  "Central Europe Standard Time": "Europe/Budapest",
  "Central European Standard Time": "Europe/Warsaw",
  "GMT Standard Time": "Europe/London",
  "Greenwich Standard Time": "Atlantic/Reykjavik",
  "FLE Standard Time": "Europe/Kiev",
  "Pacific Standard Time": "America/Los_Angeles",
  "Mountain Standard Time": "America/Denver",
  "Central Standard Time": "America/Chicago",
  "Eastern Standard Time": "America/New_York",
  "China Standard Time": "Asia/Shanghai",
  "Tokyo Standard Time": "Asia/Tokyo",
  "India Standard Time": "Asia/Kolkata",
  "AUS Eastern Standard Time": "Australia/Sydney",
};

const DAY_MS = 86_400_000;

/** The IANA zone for a Windows or IANA name; UTC for names Intl does not know. */
export function ianaZone(name: string | undefined | null): string {
  if (!name) return "UTC";
  const mapped = WINDOWS_ZONES[name];
  if (mapped) return mapped;
  try {
    new Intl.DateTimeFormat("en-US", { timeZone: name });
    return name;
  } catch {
    return "UTC";
  }
}

const formatters = new Map<string, Intl.DateTimeFormat>();

/** Offset of a zone at an instant, in ms (local = utc + offset). */
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

/** Parses Graph's wall-clock `2025-01-06T09:30:00.0000000` as if it were UTC (ms). */
export function parseWall(dateTime: string): number {
  const m = /^(\d{4})-(\d{2})-(\d{2})(?:T(\d{2}):(\d{2})(?::(\d{2})(?:\.(\d+))?)?)?/.exec(dateTime);
  if (!m) throw new Error(`not a dateTime: ${dateTime}`);
  const ms = m[7] ? Number(`0.${m[7]}`) * 1000 : 0;
  return (
    Date.UTC(
      Number(m[1]),
      Number(m[2]) - 1,
      Number(m[3]),
      Number(m[4] ?? 0),
      Number(m[5] ?? 0),
      Number(m[6] ?? 0),
    ) + Math.round(ms)
  );
}

/** The instant of a wall-clock time (as-if-UTC ms) in a zone. */
export function wallToUtc(wallMs: number, zone: string): number {
  const guess = wallMs - zoneOffsetMs(wallMs, zone);
  return wallMs - zoneOffsetMs(guess, zone);
}

export function utcToWall(utcMs: number, zone: string): number {
  return utcMs + zoneOffsetMs(utcMs, zone);
}

/** Graph's `dateTime` text: seven fraction digits, no zone designator. */
export function formatWall(wallMs: number): string {
  return new Date(wallMs).toISOString().replace(/\.(\d{3})Z$/, ".$10000");
}

/** `{dateTime, timeZone}` → instant (ms). */
export function dttzToUtc(v: { dateTime: string; timeZone?: string | null }): number {
  return wallToUtc(parseWall(v.dateTime), v.timeZone ?? "UTC");
}

/** An instant as Graph's `{dateTime, timeZone}` in the requested zone (the zone name is echoed). */
export function utcToDttz(utcMs: number, zone: string): { dateTime: string; timeZone: string } {
  return { dateTime: formatWall(utcToWall(utcMs, zone)), timeZone: zone };
}

/** RFC 3339 UTC without fractions (`createdDateTime` style with seven digits is Graph's; see isoGraph). */
export function isoGraph(ms: number): string {
  return new Date(ms).toISOString().replace(/\.(\d{3})Z$/, ".$10000Z");
}

export function isoDate(ms: number): string {
  return new Date(ms).toISOString().slice(0, 10);
}

/** Days since 1970-01-01 of a `YYYY-MM-DD` (or the date part of a wall-clock value). */
export function dayNumber(dateOrWallMs: string | number): number {
  const ms = typeof dateOrWallMs === "number" ? dateOrWallMs : parseWall(dateOrWallMs);
  return Math.floor(ms / DAY_MS);
}

export function dayToDate(day: number): string {
  return isoDate(day * DAY_MS);
}

export { DAY_MS };
