/** Display formats of the archive views. Times are UTC everywhere (docs/CONVENTIONS.md), and say so. */

export function formatDateTime(d: Date | null | undefined): string {
  if (!d) return "—";
  return `${d.toISOString().slice(0, 16).replace("T", " ")} UTC`;
}

export function formatDateTimeSeconds(d: Date | null | undefined): string {
  if (!d) return "—";
  return `${d.toISOString().slice(0, 19).replace("T", " ")} UTC`;
}

/** A compact date for list rows: "2026-11-20 14:05". */
export function formatShortDateTime(d: Date | null | undefined): string {
  if (!d) return "—";
  return d.toISOString().slice(0, 16).replace("T", " ");
}

export function formatSize(bytes: number): string {
  if (bytes < 1024) return `${bytes} B`;
  if (bytes < 1024 * 1024) return `${Math.round(bytes / 1024)} KB`;
  if (bytes < 1024 * 1024 * 1024) return `${(bytes / 1024 / 1024).toFixed(1)} MB`;
  return `${(bytes / 1024 / 1024 / 1024).toFixed(2)} GB`;
}

export function formatCount(n: number): string {
  return n.toLocaleString("en-US");
}

export const DATA_TYPE_LABELS = {
  mail: "Mail",
  calendar: "Calendar",
  contacts: "Contacts",
  tasks: "Tasks",
  notes: "Notes",
} as const;
