import "server-only";
import { getExchangeServicesDashboard, getSyncOverview, listSites } from "@coffer/worker/tasks/index";
import { tasksContext } from "@/modules/admin-tasks/lib/tasks-context";

export const OVERVIEW_DAYS = 14;

/** Everything the admin home shows: sync runs per day, the archive's totals, tasks and sites at a glance. */
export async function loadOverview() {
  const ctx = tasksContext();
  const [overview, dashboard, sites] = await Promise.all([
    getSyncOverview(ctx, { days: OVERVIEW_DAYS }),
    getExchangeServicesDashboard(ctx, { recent: 5 }),
    listSites(ctx),
  ]);
  return {
    overview,
    tasks: dashboard.types.reduce((n, t) => n + t.tasks, 0),
    running: dashboard.types.reduce((n, t) => n + t.running, 0),
    recentActivity: dashboard.recentActivity,
    sitesOnline: sites.filter((s) => s.isOnline).length,
    sites: sites.length,
  };
}
export type TOverviewData = Awaited<ReturnType<typeof loadOverview>>;
