import type { TExchangeServicesDashboard, TSiteListItem } from "@coffer/worker/tasks/index";
import Link from "next/link";
import { formatDateTime, formatDuration } from "../lib/format";
import { adminPaths } from "../lib/paths";
import {
  AdminPage,
  BUTTON_PRIMARY,
  EmptyState,
  LINK,
  RunStatusLabel,
  TaskStatusBadge,
  TD,
  TH,
  UnavailableTag,
} from "./ui";

/**
 * Services | Exchange Services (seed 004 "Viewing Task Status"): the Exchange Tasks widget — definitions
 * and tasks per feature, "X Tasks" opening the list of that feature's tasks — and the recent task
 * activity with each task's status and the traffic light of its last result.
 */
export function DashboardPage({
  dashboard,
  sites,
}: {
  dashboard: TExchangeServicesDashboard;
  sites: TSiteListItem[];
}) {
  const online = sites.filter((s) => s.isOnline).length;
  return (
    <AdminPage
      section="dashboard"
      title="Exchange Services"
      intro="Exchange Tasks apply a definition's settings to a group of mailboxes on a schedule, on one Synchronization Engine Site."
      actions={
        <Link href={adminPaths.newTask} className={BUTTON_PRIMARY}>
          New Exchange Task
        </Link>
      }
    >
      <div className="grid gap-8 xl:grid-cols-[minmax(0,5fr)_minmax(0,7fr)]">
        <section aria-labelledby="widget-heading" className="min-w-0">
          <div className="flex flex-wrap items-baseline justify-between gap-2">
            <h2 id="widget-heading" className="text-xl font-semibold text-slate-900">
              Exchange Tasks
            </h2>
            <Link href={adminPaths.tasks()} className={LINK}>
              View All
            </Link>
          </div>
          <div className="mt-3 overflow-x-auto rounded-md border border-slate-200">
            <table className="w-full min-w-[28rem] text-sm">
              <caption className="sr-only">Definitions and tasks per feature</caption>
              <thead className="border-b border-slate-200 bg-slate-50">
                <tr>
                  <th scope="col" className={TH}>
                    Feature
                  </th>
                  <th scope="col" className={TH}>
                    Definitions
                  </th>
                  <th scope="col" className={TH}>
                    Tasks
                  </th>
                  <th scope="col" className={TH}>
                    Running
                  </th>
                </tr>
              </thead>
              <tbody className="divide-y divide-slate-100">
                {dashboard.types.map((t) => (
                  <tr key={t.type} data-type={t.type}>
                    <th scope="row" className={`${TD} text-left font-medium text-slate-900`}>
                      <span className="flex flex-wrap items-center gap-2">
                        {t.label}
                        {!t.isAvailable ? <UnavailableTag /> : null}
                      </span>
                    </th>
                    <td className={TD}>
                      <Link href={adminPaths.definitions(t.type)} className={LINK}>
                        {t.definitions} {t.definitions === 1 ? "Definition" : "Definitions"}
                        <span className="sr-only"> of {t.label}</span>
                      </Link>
                    </td>
                    <td className={TD}>
                      <Link href={adminPaths.tasks({ type: t.type })} className={LINK}>
                        {t.tasks} {t.tasks === 1 ? "Task" : "Tasks"}
                        <span className="sr-only"> of {t.label}</span>
                      </Link>
                    </td>
                    <td className={`${TD} tabular-nums`}>{t.running}</td>
                  </tr>
                ))}
              </tbody>
            </table>
          </div>
          <p className="mt-3 text-sm text-slate-700">
            {sites.length === 0 ? (
              <>No Synchronization Engine Site has registered yet: start a worker.</>
            ) : (
              <>
                {sites.length} Synchronization Engine {sites.length === 1 ? "Site" : "Sites"}, {online}{" "}
                online.{" "}
              </>
            )}{" "}
            <Link href={adminPaths.sites} className={LINK}>
              Sites
            </Link>
          </p>
        </section>

        <section aria-labelledby="activity-heading" className="min-w-0">
          <div className="flex flex-wrap items-baseline justify-between gap-2">
            <h2 id="activity-heading" className="text-xl font-semibold text-slate-900">
              Recent task activity
            </h2>
            <Link href={adminPaths.tasks()} className={LINK}>
              View All<span className="sr-only"> Exchange Tasks</span>
            </Link>
          </div>
          {dashboard.recentActivity.length === 0 ? (
            <div className="mt-3">
              <EmptyState>No task has run yet.</EmptyState>
            </div>
          ) : (
            <div className="mt-3 overflow-x-auto rounded-md border border-slate-200">
              <table className="w-full min-w-[40rem] text-sm">
                <caption className="sr-only">The latest task executions, newest first</caption>
                <thead className="border-b border-slate-200 bg-slate-50">
                  <tr>
                    <th scope="col" className={TH}>
                      Task
                    </th>
                    <th scope="col" className={TH}>
                      Started
                    </th>
                    <th scope="col" className={TH}>
                      Result
                    </th>
                    <th scope="col" className={TH}>
                      Status
                    </th>
                    <th scope="col" className={TH}>
                      Message
                    </th>
                  </tr>
                </thead>
                <tbody className="divide-y divide-slate-100">
                  {dashboard.recentActivity.map((r) => (
                    <tr key={r.id}>
                      <td className={TD}>
                        <Link href={adminPaths.task(r.taskId)} className={LINK}>
                          {r.taskName}
                        </Link>
                      </td>
                      <td className={`${TD} whitespace-nowrap`}>
                        {formatDateTime(r.startedAt)}
                        <span className="block text-xs text-slate-600">
                          {formatDuration(r.durationSeconds)}
                        </span>
                      </td>
                      <td className={`${TD} whitespace-nowrap`}>
                        <RunStatusLabel status={r.status} />
                      </td>
                      <td className={TD}>
                        {r.taskStatus ? <TaskStatusBadge status={r.taskStatus} /> : "Removed"}
                      </td>
                      <td className={`${TD} max-w-sm break-words text-slate-700`}>{r.message ?? "—"}</td>
                    </tr>
                  ))}
                </tbody>
              </table>
            </div>
          )}
        </section>
      </div>
    </AdminPage>
  );
}
