import type { Metadata } from "next";
import { onPage, requireAdmin } from "@/lib/authz/guard";
import { TaskFrame } from "@/modules/admin-tasks/components/task-frame";
import { TaskOptionsForm } from "@/modules/admin-tasks/components/task-options-form";
import { TARGET_KIND_LABEL } from "@/modules/admin-tasks/lib/format";
import { loadTask, loadTaskOptions } from "@/modules/admin-tasks/lib/load-pages";

export const metadata: Metadata = { title: "Exchange Task options" };

export default async function Page({ params }: { params: Promise<{ taskId: string }> }) {
  await onPage(requireAdmin());
  const { taskId } = await params;
  const { task, deletion } = await loadTask(taskId);
  const { schedules, definitions } = await loadTaskOptions(task.type);
  return (
    <TaskFrame task={task} deletion={deletion} tab="options">
      <TaskOptionsForm
        task={{
          id: task.id,
          name: task.name,
          scheduleId: task.schedule.id,
          definitionId: task.definition.id,
          typeLabel: task.typeLabel,
        }}
        schedules={schedules.map((s) => ({ id: s.id, name: s.name, description: s.description }))}
        definitions={definitions.map((d) => ({ id: d.id, name: d.name, version: d.version }))}
        readOnly={[
          { term: "Synchronization Engine Site", value: task.site.name },
          { term: "Type", value: task.typeLabel },
          { term: "Group", value: `${TARGET_KIND_LABEL[task.target.kind]}: ${task.target.description}` },
        ]}
      />
    </TaskFrame>
  );
}
