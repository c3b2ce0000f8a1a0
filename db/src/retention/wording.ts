import type { DataType } from "../schema";

/** How the portal, the CLI and the confirmation texts name the data types (the seed's section names). */
export const DATA_TYPE_LABELS: Record<DataType, string> = {
  mail: "Mail",
  calendar: "Calendar",
  contacts: "Contacts",
  tasks: "Tasks",
  notes: "Notes",
};

/** The data types as nouns in sentences: "Coffer stops archiving calendar events". */
export const DATA_TYPE_NOUNS: Record<DataType, string> = {
  mail: "mail",
  calendar: "calendar events",
  contacts: "contacts",
  tasks: "tasks",
  notes: "notes",
};

/** 1234567 → "1,234,567". */
export function formatCount(n: number): string {
  return n.toLocaleString("en");
}

/** "1 item" / "2 items". */
export function plural(n: number, one: string, many = `${one}s`): string {
  return `${formatCount(n)} ${n === 1 ? one : many}`;
}

/** Bytes in binary units with at most one decimal: "0 bytes", "512 bytes", "1.5 MB", "2.3 GB". */
export function formatBytes(bytes: number): string {
  if (bytes < 1024) return plural(bytes, "byte");
  const units = ["KB", "MB", "GB", "TB", "PB"];
  let value = bytes / 1024;
  let unit = 0;
  while (value >= 1024 && unit < units.length - 1) {
    value /= 1024;
    unit++;
  }
  return `${value >= 100 ? Math.round(value) : Math.round(value * 10) / 10} ${units[unit]}`;
}

/** "2,555 days (7 years)" for round years, else "30 days". */
export function formatDays(days: number): string {
  const text = plural(days, "day");
  if (days >= 365 && days % 365 === 0) return `${text} (${plural(days / 365, "year")})`;
  return text;
}

/** A date for sentences, in UTC: "2026-11-21 10:15 UTC". */
export function formatUtc(at: Date): string {
  return `${at.toISOString().slice(0, 16).replace("T", " ")} UTC`;
}
