import type { TSiteListItem, TTaskTypeView, TTaskView } from "@coffer/worker/tasks/index";
import Link from "next/link";
import { formatDateTime } from "../lib/format";
import { adminPaths } from "../lib/paths";
import type { TParsedTaskListQuery } from "../lib/queries";
import {
  AdminPage,
  BUTTON_PRIMARY,
  BUTTON_SECONDARY,
  EmptyState,
  INPUT,
  LABEL,
  LINK,
  Notice,
  TaskStatusBadge,
  TD,
  TH,
  TrafficLight,
  UnavailableTag,
} from "./ui";

function FilterSelect({
  id,
  name,
  label,
  value,
  options,
}: {
  id: string;
  name: string;
  label: string;
  value: string | undefined;
  options: Array<{ value: string; label: string }>;
}) {
  return (
    <div className="min-w-40">
      <label htmlFor={id} className={LABEL}>
        {label}
      </label>
      <select id={id} name={name} defaultValue={value ?? ""} className={INPUT}>
        <option value="">Any</option>
        {options.map((o) => (
          <option key={o.value} value={o.value}>
            {o.label}
          </option>
        ))}
      </select>
    </div>
  );
}

/**
 * The list of Exchange Tasks ("View All"), with filters by type, status, site and last result. Filters are
 * a plain GET form, so every filtered view is a link (the dashboard's "X Tasks" opens one).
 */
export function TaskListPage({
  tasks,
  query,
  types,
  sites,
  createdId,
  removedName,
}: {
  tasks: TTaskView[];
  query: TParsedTaskListQuery;
  types: TTaskTypeView[];
  sites: TSiteListItem[];
  createdId?: string | undefined;
  removedName?: string | undefined;
}) {
  const created = createdId ? tasks.find((t) => t.id === createdId) : undefined;
  const isFiltered = !!(query.type || query.status || query.result || query.siteId || query.q);
  const typeLabel = query.type ? types.find((t) => t.type === query.type)?.label : undefined;
  return (
    <AdminPage
      section="tasks"
      title={typeLabel ? `${typeLabel} tasks` : "Exchange Tasks"}
      breadcrumbs={[{ href: adminPaths.dashboard, label: "Exchange Services" }]}
      actions={
        <Link href={adminPaths.newTask} className={BUTTON_PRIMARY}>
          New Exchange Task
        </Link>
      }
    >
      {created ? (
        <Notice>Exchange Task “{created.name}” created. Its status is Unknown until its first run.</Notice>
      ) : null}
      {removedName ? (
        <Notice>Task “{removedName}” removed; the Full View of its mailboxes was reset.</Notice>
      ) : null}
      <search aria-label="Filter tasks" className="block">
        <form method="get" action={adminPaths.tasks()} className="flex flex-wrap items-end gap-3">
          <FilterSelect
            id="filter-type"
            name="type"
            label="Type"
            value={query.type}
            options={types.map((t) => ({ value: t.type, label: t.label }))}
          />
          <FilterSelect
            id="filter-status"
            name="status"
            label="Status"
            value={query.status}
            options={[
              { value: "unknown", label: "Unknown" },
              { value: "scheduled", label: "Scheduled" },
              { value: "running", label: "Running" },
            ]}
          />
          <FilterSelect
            id="filter-site"
            name="siteId"
            label="Site"
            value={query.siteId}
            options={sites.map((s) => ({ value: s.id, label: s.name }))}
          />
          <FilterSelect
            id="filter-result"
            name="result"
            label="Last result"
            value={query.result}
            options={[
              { value: "success", label: "Success" },
              { value: "warning", label: "Warning" },
              { value: "error", label: "Error" },
            ]}
          />
          <div className="min-w-56 flex-1">
            <label htmlFor="filter-q" className={LABEL}>
              Name or group contains
            </label>
            <input id="filter-q" name="q" type="search" defaultValue={query.q ?? ""} className={INPUT} />
          </div>
          <button type="submit" className={BUTTON_PRIMARY}>
            Filter
          </button>
          {isFiltered ? (
            <Link href={adminPaths.tasks()} className={BUTTON_SECONDARY}>
              Clear filters
            </Link>
          ) : null}
        </form>
      </search>
      <p className="mt-4 text-sm text-slate-700" role="status">
        {tasks.length} {tasks.length === 1 ? "task" : "tasks"}
        {isFiltered ? " match the filters" : ""}.
      </p>
      {tasks.length === 0 ? (
        <div className="mt-3">
          <EmptyState>
            {isFiltered ? "No task matches these filters." : "There are no Exchange Tasks yet."}{" "}
            <Link href={adminPaths.newTask} className={LINK}>
              Create one
            </Link>
            .
          </EmptyState>
        </div>
      ) : (
        <div className="mt-3 overflow-x-auto rounded-md border border-slate-200">
          <table className="w-full min-w-[56rem] text-sm">
            <caption className="sr-only">Exchange Tasks</caption>
            <thead className="border-b border-slate-200 bg-slate-50">
              <tr>
                <th scope="col" className={TH}>
                  Task
                </th>
                <th scope="col" className={TH}>
                  Type
                </th>
                <th scope="col" className={TH}>
                  Group
                </th>
                <th scope="col" className={TH}>
                  Site
                </th>
                <th scope="col" className={TH}>
                  Status
                </th>
                <th scope="col" className={TH}>
                  Last result
                </th>
                <th scope="col" className={TH}>
                  Last run
                </th>
              </tr>
            </thead>
            <tbody className="divide-y divide-slate-100">
              {tasks.map((t) => (
                <tr key={t.id} data-task-id={t.id} className={t.id === createdId ? "bg-green-50" : undefined}>
                  <td className={TD}>
                    <Link href={adminPaths.task(t.id)} className={LINK}>
                      {t.name}
                    </Link>
                  </td>
                  <td className={TD}>
                    <span className="flex flex-wrap items-center gap-2">
                      {t.typeLabel}
                      {!t.isTypeAvailable ? <UnavailableTag /> : null}
                    </span>
                  </td>
                  <td className={`${TD} max-w-xs break-words`}>{t.target.description}</td>
                  <td className={TD}>{t.site.name}</td>
                  <td className={TD}>
                    <TaskStatusBadge status={t.status} />
                  </td>
                  <td className={`${TD} whitespace-nowrap`}>
                    <TrafficLight result={t.lastResult} title={t.lastResultMessage} />
                  </td>
                  <td className={`${TD} whitespace-nowrap`}>{formatDateTime(t.lastRunAt)}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
    </AdminPage>
  );
}
