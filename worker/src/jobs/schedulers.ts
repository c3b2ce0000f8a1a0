import type { JobSchedulerJson, Queue } from "bullmq";
import { JOB_NAMES, TASK_JOB_OPTIONS, taskSchedulerId } from "./names";
import type { TRunTaskPayload } from "./run-task-payload";

export type TRepeat = { pattern: string; tz: string } | { every: number };

/**
 * Creates or updates the job scheduler of a task, only when its repeat options changed (`sig` in the
 * template): upserting an interval scheduler starts a run at once, which must happen on a new task or a
 * new schedule, not on every reconciliation. Returns true when it upserted.
 */
export async function upsertTaskScheduler(
  queue: Queue,
  taskId: string,
  repeat: TRepeat,
  existing?: JobSchedulerJson | null,
): Promise<boolean> {
  const id = taskSchedulerId(taskId);
  const sig = JSON.stringify(repeat);
  const have = existing === undefined ? await queue.getJobScheduler(id) : existing;
  if ((have?.template?.data as TRunTaskPayload | undefined)?.sig === sig) return false;
  const data: TRunTaskPayload = { taskId, trigger: "schedule", sig };
  await queue.upsertJobScheduler(id, repeat, {
    name: JOB_NAMES.runTask,
    data,
    opts: { ...TASK_JOB_OPTIONS },
  });
  return true;
}
