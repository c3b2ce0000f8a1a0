import type { TaskTargetKind } from "@coffer/db/schema";

export { formatCount, formatDateTime, formatSize } from "@/modules/archive/lib/format";

/** "45 s", "3 min 20 s", "2 h 5 min". */
export function formatDuration(seconds: number | null | undefined): string {
  if (seconds === null || seconds === undefined) return "—";
  if (seconds < 60) return `${seconds < 10 ? seconds.toFixed(1) : Math.round(seconds)} s`;
  const s = Math.round(seconds);
  if (s < 3600) return `${Math.floor(s / 60)} min ${s % 60} s`;
  return `${Math.floor(s / 3600)} h ${Math.floor((s % 3600) / 60)} min`;
}

export const TARGET_KIND_LABEL: Record<TaskTargetKind, string> = {
  group_lookup: "Directory group",
  group_dn: "Group DN",
  group_email: "Group e-mail address",
  mailbox: "One mailbox",
  mailbox_list: "List of mailboxes",
  all_licensed: "All licensed mailboxes",
};

export const TRIGGER_LABEL = { schedule: "Scheduled", manual: "Run now", startup: "First start" } as const;
