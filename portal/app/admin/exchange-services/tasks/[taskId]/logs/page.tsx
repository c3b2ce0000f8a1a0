import type { Metadata } from "next";
import { onPage, requireAdmin } from "@/lib/authz/guard";
import { TaskFrame } from "@/modules/admin-tasks/components/task-frame";
import { TaskSummaryLogs } from "@/modules/admin-tasks/components/task-logs";
import { loadTask, loadTaskRuns } from "@/modules/admin-tasks/lib/load-pages";

export const metadata: Metadata = { title: "Task Summary Logs" };

export default async function Page({ params }: { params: Promise<{ taskId: string }> }) {
  await onPage(requireAdmin());
  const { taskId } = await params;
  const { task, deletion } = await loadTask(taskId);
  const runs = await loadTaskRuns(task.id);
  return (
    <TaskFrame task={task} deletion={deletion} tab="logs">
      <TaskSummaryLogs taskId={task.id} runs={runs} />
    </TaskFrame>
  );
}
