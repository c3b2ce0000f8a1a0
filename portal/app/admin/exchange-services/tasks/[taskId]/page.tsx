import type { Metadata } from "next";
import { onPage, requireAdmin } from "@/lib/authz/guard";
import { TaskFrame } from "@/modules/admin-tasks/components/task-frame";
import { TaskInformation } from "@/modules/admin-tasks/components/task-information";
import { formatDateTime } from "@/modules/admin-tasks/lib/format";
import { liveProgressOf, loadTask } from "@/modules/admin-tasks/lib/load-pages";
import { adminPaths } from "@/modules/admin-tasks/lib/paths";
import { searchParam } from "@/modules/admin-tasks/lib/queries";

export const metadata: Metadata = { title: "Exchange Task" };

export default async function Page({
  params,
  searchParams,
}: {
  params: Promise<{ taskId: string }>;
  searchParams: Promise<Record<string, string | string[] | undefined>>;
}) {
  await onPage(requireAdmin());
  const { taskId } = await params;
  const { task, deletion } = await loadTask(taskId);
  const run = task.currentRun ?? task.lastRun;
  const isSaved = searchParam(await searchParams, "saved") === "1";
  return (
    <TaskFrame
      task={task}
      deletion={deletion}
      tab="information"
      notice={isSaved ? "Options saved. They apply within two minutes, or after the current run." : undefined}
    >
      <TaskInformation
        progressUrl={adminPaths.taskProgress(task.id)}
        initial={liveProgressOf(task)}
        hasSequence={task.sequence !== null}
        created={formatDateTime(task.createdAt)}
        createdBy={task.createdBy}
        lastModified={formatDateTime(task.updatedAt)}
        lastModifiedBy={task.updatedBy}
        lastRun={run ? formatDateTime(run.startedAt) : "Never"}
        nextRun={task.nextRunAt ? formatDateTime(task.nextRunAt) : "—"}
      />
    </TaskFrame>
  );
}
