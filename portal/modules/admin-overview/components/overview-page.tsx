import Link from "next/link";
import type { ReactNode } from "react";
import { AdminPage, LINK, RunStatusLabel, TD, TH } from "@/modules/admin-tasks/components/ui";
import { formatCount, formatDateTime, formatSize } from "@/modules/admin-tasks/lib/format";
import { adminPaths } from "@/modules/admin-tasks/lib/paths";
import { OVERVIEW_DAYS, type TOverviewData } from "../lib/load-overview";
import { RunsChart } from "./runs-chart";

function Stat({
  label,
  value,
  detail,
  testId,
}: {
  label: string;
  value: string;
  detail?: ReactNode;
  testId: string;
}) {
  return (
    <div className="rounded-lg border border-slate-200 bg-white p-4 shadow-sm" data-testid={testId}>
      <dt className="text-sm font-medium text-slate-700">{label}</dt>
      <dd className="mt-1 text-3xl font-semibold tabular-nums text-slate-900">{value}</dd>
      {detail ? <dd className="mt-1 text-sm text-slate-600">{detail}</dd> : null}
    </div>
  );
}

/**
 * The admin home: Sync Overview — sync runs over the last two weeks by result, active mailboxes, the
 * number of retention policies and the archive's total size, with the Exchange Tasks at a glance.
 */
export function OverviewPage({ data }: { data: TOverviewData }) {
  const { overview } = data;
  const days = overview.runsPerDay;
  const totals = days.reduce(
    (t, d) => ({ success: t.success + d.success, warning: t.warning + d.warning, error: t.error + d.error }),
    { success: 0, warning: 0, error: 0 },
  );
  const runs = totals.success + totals.warning + totals.error;
  const summary = `Sync runs per day over the last ${OVERVIEW_DAYS} days: ${runs} in total, ${totals.success} successful, ${totals.warning} with warnings, ${totals.error} with errors.`;
  return (
    <AdminPage
      section="overview"
      title="Sync Overview"
      intro="How the synchronisation is doing: runs of the Exchange Tasks over time and what the archive holds."
    >
      <dl className="grid gap-4 sm:grid-cols-2 lg:grid-cols-4">
        <Stat
          testId="stat-mailboxes"
          label="Active mailboxes"
          value={formatCount(overview.activeMailboxes)}
          detail="Enabled, licensed and not de-provisioned"
        />
        <Stat testId="stat-policies" label="Retention policies" value={formatCount(overview.policies)} />
        <Stat
          testId="stat-size"
          label="Total archive size"
          value={formatSize(overview.storedBytes)}
          detail={`${formatSize(overview.originalBytes)} before compression`}
        />
        <Stat
          testId="stat-tasks"
          label="Exchange Tasks"
          value={formatCount(data.tasks)}
          detail={
            <>
              {data.running} running · {data.sitesOnline} of {data.sites}{" "}
              {data.sites === 1 ? "site" : "sites"} online ·{" "}
              <Link href={adminPaths.dashboard} className={LINK}>
                Exchange Services
              </Link>
            </>
          }
        />
      </dl>

      <section aria-labelledby="runs-heading" className="mt-10">
        <h2 id="runs-heading" className="text-xl font-semibold text-slate-900">
          Sync runs over the last {OVERVIEW_DAYS} days
        </h2>
        <p className="mt-1 text-sm text-slate-700">{summary}</p>
        <div className="mt-4 rounded-lg border border-slate-200 bg-white p-4">
          <RunsChart data={days} summary={summary} />
        </div>
        <details className="mt-3">
          <summary className="cursor-pointer text-sm font-medium text-brand-800">
            Show the figures as a table
          </summary>
          <div className="mt-2 overflow-x-auto rounded-md border border-slate-200">
            <table className="w-full min-w-[32rem] text-sm">
              <caption className="sr-only">Finished sync runs per day (UTC), by result</caption>
              <thead className="border-b border-slate-200 bg-slate-50">
                <tr>
                  <th scope="col" className={TH}>
                    Day (UTC)
                  </th>
                  <th scope="col" className={TH}>
                    Success
                  </th>
                  <th scope="col" className={TH}>
                    Warning
                  </th>
                  <th scope="col" className={TH}>
                    Error
                  </th>
                  <th scope="col" className={TH}>
                    Mailboxes
                  </th>
                  <th scope="col" className={TH}>
                    Items
                  </th>
                </tr>
              </thead>
              <tbody className="divide-y divide-slate-100">
                {days.map((d) => (
                  <tr key={d.day}>
                    <th scope="row" className={`${TD} text-left font-medium`}>
                      {d.day}
                    </th>
                    <td className={`${TD} tabular-nums`}>{d.success}</td>
                    <td className={`${TD} tabular-nums`}>{d.warning}</td>
                    <td className={`${TD} tabular-nums`}>{d.error}</td>
                    <td className={`${TD} tabular-nums`}>{formatCount(d.mailboxes)}</td>
                    <td className={`${TD} tabular-nums`}>{formatCount(d.items)}</td>
                  </tr>
                ))}
              </tbody>
            </table>
          </div>
        </details>
      </section>

      <section aria-labelledby="recent-heading" className="mt-10">
        <div className="flex flex-wrap items-baseline justify-between gap-2">
          <h2 id="recent-heading" className="text-xl font-semibold text-slate-900">
            Latest runs
          </h2>
          <Link href={adminPaths.dashboard} className={LINK}>
            All task activity
          </Link>
        </div>
        {data.recentActivity.length === 0 ? (
          <p className="mt-2 text-slate-700">No task has run yet.</p>
        ) : (
          <ul className="mt-3 divide-y divide-slate-100 rounded-md border border-slate-200">
            {data.recentActivity.map((r) => (
              <li key={r.id} className="flex flex-wrap items-center gap-x-4 gap-y-1 px-4 py-2 text-sm">
                <Link href={adminPaths.task(r.taskId)} className={LINK}>
                  {r.taskName}
                </Link>
                <span className="text-slate-700">{formatDateTime(r.startedAt)}</span>
                <RunStatusLabel status={r.status} />
                <span className="min-w-0 flex-1 break-words text-slate-600">{r.message ?? ""}</span>
              </li>
            ))}
          </ul>
        )}
      </section>
    </AdminPage>
  );
}
