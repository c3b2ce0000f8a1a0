import type { TPimContainer, TTaskView } from "@coffer/db/archive-pim/index";
import { formatSize } from "@/modules/archive/lib/format";
import { formatAtInput } from "@/modules/archive/lib/snapshot-query";

const STATUS: Record<string, string> = {
  notStarted: "Not started",
  inProgress: "In progress",
  completed: "Completed",
  waitingOnOthers: "Waiting on others",
  deferred: "Deferred",
};

/** To Do lists at T: tasks with due date, importance, steps (a read-only checklist) and attachments. */
export function TasksView({
  mailboxId,
  at,
  lists,
}: {
  mailboxId: string;
  at: Date | undefined;
  lists: Array<{ list: TPimContainer; tasks: TTaskView[] }>;
}) {
  const qs = at ? `?at=${encodeURIComponent(formatAtInput(at))}` : "";
  return (
    <div className="space-y-6">
      {lists.map(({ list, tasks }) => (
        <section key={list.graphId} aria-labelledby={`list-${list.graphId}`}>
          <h2 id={`list-${list.graphId}`} className="text-lg font-semibold text-slate-900">
            {list.displayName}
          </h2>
          {tasks.length ? (
            <ul className="mt-2 divide-y divide-slate-100 rounded border border-slate-200">
              {tasks.map((t) => (
                <li key={t.graphId} className="p-3">
                  <h3 className="font-medium text-slate-900">{t.title || "(no title)"}</h3>
                  <p className="text-sm text-slate-700">
                    {STATUS[t.status ?? ""] ?? t.status ?? "—"}
                    {t.due ? ` · due ${t.due.slice(0, 10)}` : ""}
                    {t.importance && t.importance !== "normal" ? ` · ${t.importance} importance` : ""}
                    {t.completed ? ` · completed ${t.completed.slice(0, 10)}` : ""}
                    {t.isRecurring ? " · repeats" : ""}
                  </p>
                  {t.steps.length ? (
                    <ul aria-label={`Steps of ${t.title}`} className="mt-1 text-sm">
                      {t.steps.map((s, n) => (
                        // biome-ignore lint/suspicious/noArrayIndexKey: steps have no id in the summary, and names repeat
                        <li key={n} className="flex items-center gap-2">
                          <span aria-hidden="true">{s.isChecked ? "☑" : "☐"}</span>
                          <span>{s.displayName}</span>
                          <span className="sr-only">{s.isChecked ? "(done)" : "(not done)"}</span>
                        </li>
                      ))}
                    </ul>
                  ) : null}
                  {t.attachments.length ? (
                    <ul aria-label={`Attachments of ${t.title}`} className="mt-1 text-sm">
                      {t.attachments.map((a) => (
                        <li key={a.partId}>
                          <a
                            className="text-brand-800 underline"
                            download
                            href={`/archive/${encodeURIComponent(mailboxId)}/tasks/${encodeURIComponent(t.graphId)}/attachments/${encodeURIComponent(a.partId)}${qs}`}
                          >
                            {a.name}
                          </a>{" "}
                          ({formatSize(a.size)})
                        </li>
                      ))}
                    </ul>
                  ) : null}
                </li>
              ))}
            </ul>
          ) : (
            <p className="mt-1 text-sm text-slate-700">No tasks in this list at the chosen time.</p>
          )}
        </section>
      ))}
    </div>
  );
}
