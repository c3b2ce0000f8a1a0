import type { TSiteListItem } from "@coffer/worker/tasks/index";
import Link from "next/link";
import { formatDateTime } from "../lib/format";
import { adminPaths } from "../lib/paths";
import { AdminPage, EmptyState, LINK, TD, TH } from "./ui";

/**
 * Synchronization Engine Sites: each worker process serves one site and reports a heartbeat (every 30 s)
 * with its version and host; a site is online while its last heartbeat is under 90 seconds old.
 */
export function SitesPage({ sites }: { sites: TSiteListItem[] }) {
  return (
    <AdminPage
      section="sites"
      title="Synchronization Engine Sites"
      intro="A worker serves one site (COFFER_SITE) and runs the tasks assigned to it. A site is online while its worker reported in the last 90 seconds."
      breadcrumbs={[{ href: adminPaths.dashboard, label: "Exchange Services" }]}
    >
      {sites.length === 0 ? (
        <EmptyState>
          No site has registered yet. Start a worker with <code className="font-mono">npx coffer worker</code>
          ; the first one creates its site, an “Every 4 hours” schedule and a folder replication task over all
          licensed mailboxes.
        </EmptyState>
      ) : (
        <div className="overflow-x-auto rounded-md border border-slate-200">
          <table className="w-full min-w-[48rem] text-sm">
            <caption className="sr-only">Synchronization Engine Sites</caption>
            <thead className="border-b border-slate-200 bg-slate-50">
              <tr>
                <th scope="col" className={TH}>
                  Site
                </th>
                <th scope="col" className={TH}>
                  State
                </th>
                <th scope="col" className={TH}>
                  Last heartbeat
                </th>
                <th scope="col" className={TH}>
                  Version
                </th>
                <th scope="col" className={TH}>
                  Host
                </th>
                <th scope="col" className={TH}>
                  Tasks
                </th>
              </tr>
            </thead>
            <tbody className="divide-y divide-slate-100">
              {sites.map((s) => (
                <tr key={s.id} data-site={s.name}>
                  <th scope="row" className={`${TD} text-left font-medium text-slate-900`}>
                    {s.name}
                    {s.description ? (
                      <span className="block text-xs font-normal text-slate-600">{s.description}</span>
                    ) : null}
                  </th>
                  <td className={TD}>
                    <span className="inline-flex items-center gap-1.5">
                      <span
                        aria-hidden="true"
                        className={`inline-block h-2.5 w-2.5 rounded-full ${s.isOnline ? "bg-green-600" : "bg-slate-400"}`}
                      />
                      {s.isOnline ? "Online" : "Offline"}
                    </span>
                  </td>
                  <td className={`${TD} whitespace-nowrap`}>{formatDateTime(s.lastHeartbeatAt)}</td>
                  <td className={TD}>{s.version ?? "—"}</td>
                  <td className={`${TD} break-all`}>{s.hostname ?? "—"}</td>
                  <td className={TD}>
                    <Link href={`${adminPaths.tasks({ siteId: s.id })}`} className={LINK}>
                      {s.taskCount} {s.taskCount === 1 ? "task" : "tasks"}
                      <span className="sr-only"> on {s.name}</span>
                    </Link>
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
