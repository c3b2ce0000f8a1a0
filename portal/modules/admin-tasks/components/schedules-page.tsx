import type { TScheduleListItem } from "@coffer/worker/tasks/index";
import Link from "next/link";
import { formatDateTime } from "../lib/format";
import { adminPaths } from "../lib/paths";
import { AdminPage, BUTTON_PRIMARY, EmptyState, LINK, Notice, TD, TH } from "./ui";

/** Schedules: when and how often tasks run. A schedule can be shared by many tasks. */
export function SchedulesPage({
  schedules,
  savedId,
  deletedName,
}: {
  schedules: TScheduleListItem[];
  savedId?: string | undefined;
  deletedName?: string | undefined;
}) {
  const saved = savedId ? schedules.find((s) => s.id === savedId) : undefined;
  return (
    <AdminPage
      section="schedules"
      title="Schedules"
      intro="When and how often tasks run: a cron expression or an interval, in a time zone, optionally only inside a daily window."
      breadcrumbs={[{ href: adminPaths.dashboard, label: "Exchange Services" }]}
      actions={
        <Link href={adminPaths.newSchedule} className={BUTTON_PRIMARY}>
          New schedule
        </Link>
      }
    >
      {saved ? <Notice>Schedule “{saved.name}” saved.</Notice> : null}
      {deletedName ? <Notice>Schedule “{deletedName}” deleted.</Notice> : null}
      {schedules.length === 0 ? (
        <EmptyState>There are no schedules yet.</EmptyState>
      ) : (
        <div className="overflow-x-auto rounded-md border border-slate-200">
          <table className="w-full min-w-[44rem] text-sm">
            <caption className="sr-only">Schedules</caption>
            <thead className="border-b border-slate-200 bg-slate-50">
              <tr>
                <th scope="col" className={TH}>
                  Name
                </th>
                <th scope="col" className={TH}>
                  When
                </th>
                <th scope="col" className={TH}>
                  Tasks
                </th>
                <th scope="col" className={TH}>
                  Last modified
                </th>
              </tr>
            </thead>
            <tbody className="divide-y divide-slate-100">
              {schedules.map((s) => (
                <tr key={s.id}>
                  <td className={TD}>
                    <Link href={adminPaths.schedule(s.id)} className={LINK}>
                      {s.name}
                    </Link>
                  </td>
                  <td className={TD}>{s.description}</td>
                  <td className={`${TD} tabular-nums`}>{s.taskCount}</td>
                  <td className={TD}>
                    {formatDateTime(s.updatedAt)}
                    {s.updatedBy ? (
                      <span className="block text-xs text-slate-600">by {s.updatedBy}</span>
                    ) : null}
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
    </AdminPage>
  );
}
