import type { TTaskDeletionPreview, TTaskDetail } from "@coffer/worker/tasks/index";
import Link from "next/link";
import type { ReactNode } from "react";
import { adminPaths } from "../lib/paths";
import { RemoveTaskButton, RunNowButton } from "./task-actions";
import { AdminPage, Notice, UnavailableTag } from "./ui";

export type TTaskTab = "information" | "options" | "logs";

const TABS: Array<{ key: TTaskTab; label: string; href: (id: string) => string }> = [
  { key: "information", label: "Information", href: adminPaths.task },
  { key: "options", label: "Options", href: adminPaths.taskOptions },
  { key: "logs", label: "Logs", href: adminPaths.taskLogs },
];

/** The task page's frame: name, what it runs where, Run now, Remove Task, and its Information/Options/Logs. */
export function TaskFrame({
  task,
  deletion,
  tab,
  notice,
  children,
}: {
  task: TTaskDetail;
  deletion: TTaskDeletionPreview;
  tab: TTaskTab;
  notice?: string | undefined;
  children: ReactNode;
}) {
  return (
    <AdminPage
      section="tasks"
      title={task.name}
      breadcrumbs={[
        { href: adminPaths.dashboard, label: "Exchange Services" },
        { href: adminPaths.tasks(), label: "Exchange Tasks" },
      ]}
      intro={
        <p className="flex flex-wrap items-center gap-2">
          <span>
            {task.typeLabel} · {task.target.description} · site {task.site.name}
          </span>
          {!task.isTypeAvailable ? <UnavailableTag /> : null}
        </p>
      }
      actions={
        <div className="flex flex-wrap items-start gap-2">
          <RunNowButton taskId={task.id} />
          <RemoveTaskButton taskId={task.id} taskName={task.name} warning={deletion.warning} />
        </div>
      }
    >
      {notice ? <Notice>{notice}</Notice> : null}
      <nav aria-label="Task" className="border-b border-slate-200">
        <ul className="-mb-px flex flex-wrap gap-1 text-sm">
          {TABS.map((t) => (
            <li key={t.key}>
              <Link
                href={t.href(task.id)}
                aria-current={t.key === tab ? "page" : undefined}
                className={`block border-b-2 px-4 py-2 font-medium ${
                  t.key === tab
                    ? "border-brand-700 text-brand-800"
                    : "border-transparent text-slate-700 hover:border-slate-300 hover:text-slate-900"
                }`}
              >
                {t.label}
              </Link>
            </li>
          ))}
        </ul>
      </nav>
      <div className="mt-6">{children}</div>
    </AdminPage>
  );
}
