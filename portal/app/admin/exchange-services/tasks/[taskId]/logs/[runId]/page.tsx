import type { Metadata } from "next";
import { onPage, requireAdmin } from "@/lib/authz/guard";
import { TaskFrame } from "@/modules/admin-tasks/components/task-frame";
import { RunDetail } from "@/modules/admin-tasks/components/task-logs";
import { loadRun, loadTask } from "@/modules/admin-tasks/lib/load-pages";

export const metadata: Metadata = { title: "Task execution" };

export default async function Page({ params }: { params: Promise<{ taskId: string; runId: string }> }) {
  await onPage(requireAdmin());
  const { taskId, runId } = await params;
  const { task, deletion } = await loadTask(taskId);
  const detail = await loadRun(task.id, runId);
  return (
    <TaskFrame task={task} deletion={deletion} tab="logs">
      <RunDetail detail={detail} />
    </TaskFrame>
  );
}
