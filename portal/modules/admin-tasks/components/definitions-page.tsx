import type { TaskType } from "@coffer/db/schema";
import type { TDefinitionListItem, TTaskTypeView } from "@coffer/worker/tasks/index";
import Link from "next/link";
import { formatDateTime } from "../lib/format";
import { adminPaths } from "../lib/paths";
import {
  AdminPage,
  BUTTON_PRIMARY,
  BUTTON_SECONDARY,
  EmptyState,
  LINK,
  Notice,
  TD,
  TH,
  UnavailableTag,
} from "./ui";

/** Definitions per task type: the settings a task applies. Every type is listed, available or not. */
export function DefinitionsPage({
  types,
  definitions,
  type,
  savedId,
  deletedName,
}: {
  types: TTaskTypeView[];
  definitions: TDefinitionListItem[];
  type?: TaskType | undefined;
  savedId?: string | undefined;
  deletedName?: string | undefined;
}) {
  const saved = savedId ? definitions.find((d) => d.id === savedId) : undefined;
  const shown = type ? types.filter((t) => t.type === type) : types;
  return (
    <AdminPage
      section="definitions"
      title="Definitions"
      intro="A definition holds the settings of one task type. Changing one makes a new version; running executions keep the version they started with."
      breadcrumbs={[{ href: adminPaths.dashboard, label: "Exchange Services" }]}
      actions={
        <Link href={adminPaths.newDefinition(type)} className={BUTTON_PRIMARY}>
          New definition
        </Link>
      }
    >
      {saved ? (
        <Notice>
          Definition “{saved.name}” saved (version {saved.version}).
        </Notice>
      ) : null}
      {deletedName ? <Notice>Definition “{deletedName}” deleted.</Notice> : null}
      {type ? (
        <p className="mb-4">
          <Link href={adminPaths.definitions()} className={BUTTON_SECONDARY}>
            Show every type
          </Link>
        </p>
      ) : null}
      <div className="space-y-8">
        {shown.map((t) => {
          const list = definitions.filter((d) => d.type === t.type);
          const headingId = `type-${t.type}`;
          return (
            <section key={t.type} aria-labelledby={headingId}>
              <div className="flex flex-wrap items-center justify-between gap-2">
                <h2
                  id={headingId}
                  className="flex flex-wrap items-center gap-2 text-xl font-semibold text-slate-900"
                >
                  {t.label} {!t.isAvailable ? <UnavailableTag /> : null}
                </h2>
                <Link href={adminPaths.newDefinition(t.type)} className={LINK}>
                  New {t.label} definition
                </Link>
              </div>
              <p className="mt-1 text-sm text-slate-700">{t.description}</p>
              {list.length === 0 ? (
                <p className="mt-2 text-sm text-slate-600">No definition yet.</p>
              ) : (
                <div className="mt-3 overflow-x-auto rounded-md border border-slate-200">
                  <table className="w-full min-w-[40rem] text-sm">
                    <caption className="sr-only">{t.label} definitions</caption>
                    <thead className="border-b border-slate-200 bg-slate-50">
                      <tr>
                        <th scope="col" className={TH}>
                          Name
                        </th>
                        <th scope="col" className={TH}>
                          Version
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
                      {list.map((d) => (
                        <tr key={d.id}>
                          <td className={TD}>
                            <Link href={adminPaths.definition(d.id)} className={LINK}>
                              {d.name}
                            </Link>
                          </td>
                          <td className={`${TD} tabular-nums`}>{d.version}</td>
                          <td className={`${TD} tabular-nums`}>{d.taskCount}</td>
                          <td className={TD}>
                            {formatDateTime(d.updatedAt)}
                            {d.updatedBy ? (
                              <span className="block text-xs text-slate-600">by {d.updatedBy}</span>
                            ) : null}
                          </td>
                        </tr>
                      ))}
                    </tbody>
                  </table>
                </div>
              )}
            </section>
          );
        })}
        {shown.length === 0 ? <EmptyState>No task type matches.</EmptyState> : null}
      </div>
    </AdminPage>
  );
}
