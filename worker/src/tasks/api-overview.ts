import type { RunResult, TaskStatus, TaskType } from "@coffer/db/schema";
import { listSites as dbListSites } from "@coffer/db/tasks/sites";
import {
  archiveTotals,
  countByType,
  countRunsPerDay,
  countTaskUsage,
  listRecentRuns,
} from "@coffer/db/tasks/task-queries";
import { findTaskById } from "@coffer/db/tasks/tasks";
import type { TTasksContext } from "./context";
import { TASK_TYPE_LIST } from "./task-types";
import { runSummary, siteView, type TRunSummary, type TSiteView } from "./views";

/** Sites, the Exchange Services dashboard, and the admin home's Sync Overview. */

export type TSiteListItem = TSiteView & { taskCount: number };

export async function listSites(ctx: TTasksContext): Promise<TSiteListItem[]> {
  const [rows, usage] = await Promise.all([dbListSites(ctx.db), countTaskUsage(ctx.db)]);
  return rows.map((s) => ({ ...siteView(s), taskCount: usage.sites.get(s.id) ?? 0 }));
}

export type TExchangeServicesDashboard = {
  /** The Exchange Tasks widget: per type, definitions and tasks ("X Tasks" links to listTasks({type})). */
  types: Array<{
    type: TaskType;
    label: string;
    isAvailable: boolean;
    definitions: number;
    tasks: number;
    running: number;
  }>;
  /** Recent task activity with each task's current status. */
  recentActivity: Array<
    TRunSummary & { taskName: string; taskType: TaskType; taskStatus: TaskStatus | null }
  >;
};

export async function getExchangeServicesDashboard(
  ctx: TTasksContext,
  opts: { recent?: number } = {},
): Promise<TExchangeServicesDashboard> {
  const [counts, recent] = await Promise.all([
    countByType(ctx.db),
    listRecentRuns(ctx.db, opts.recent ?? 10),
  ]);
  const statuses = new Map<string, TaskStatus>();
  for (const r of recent) {
    if (!statuses.has(r.task_id))
      statuses.set(r.task_id, (await findTaskById(ctx.db, r.task_id))?.status ?? "unknown");
  }
  return {
    types: TASK_TYPE_LIST.map((t) => {
      const c = counts.find((x) => x.type === t.type);
      return {
        type: t.type,
        label: t.label,
        isAvailable: t.isAvailable,
        definitions: c?.definitions ?? 0,
        tasks: c?.tasks ?? 0,
        running: c?.running ?? 0,
      };
    }),
    recentActivity: recent.map((r) => ({
      ...runSummary(r),
      taskName: r.task_name,
      taskType: r.task_type,
      taskStatus: statuses.get(r.task_id) ?? null,
    })),
  };
}

export type TSyncOverview = {
  /** Finished runs per UTC day (oldest first), split by result: the chart of sync runs over time. */
  runsPerDay: Array<{
    day: string;
    success: number;
    warning: number;
    error: number;
    mailboxes: number;
    items: number;
  }>;
  activeMailboxes: number;
  /** Retention policies. */
  policies: number;
  /** Bytes stored (compressed, encrypted) and the original size of the archived content. */
  storedBytes: number;
  originalBytes: number;
};

export async function getSyncOverview(
  ctx: TTasksContext,
  opts: { days?: number; now?: Date } = {},
): Promise<TSyncOverview> {
  const days = Math.min(Math.max(opts.days ?? 14, 1), 365);
  const now = opts.now ?? new Date();
  const since = new Date(Date.UTC(now.getUTCFullYear(), now.getUTCMonth(), now.getUTCDate() - (days - 1)));
  const [rows, totals] = await Promise.all([countRunsPerDay(ctx.db, since), archiveTotals(ctx.db)]);
  const byDay = new Map<string, TSyncOverview["runsPerDay"][number]>();
  for (let i = 0; i < days; i++) {
    const d = new Date(since.getTime() + i * 86_400_000).toISOString().slice(0, 10);
    byDay.set(d, { day: d, success: 0, warning: 0, error: 0, mailboxes: 0, items: 0 });
  }
  for (const r of rows) {
    const entry = byDay.get(r.day);
    if (!entry) continue;
    entry[r.result as RunResult] += r.runs;
    entry.mailboxes += r.mailboxes;
    entry.items += r.items;
  }
  return { runsPerDay: [...byDay.values()], ...totals };
}
