import type { Db } from "@coffer/db/client";
import { listSchedules } from "@coffer/db/tasks/schedules";
import { listTasks, setTaskState } from "@coffer/db/tasks/tasks";
import type { Queue } from "bullmq";
import { taskSchedulerId } from "../jobs/names";
import { upsertTaskScheduler } from "../jobs/schedulers";
import { nextRunAfter, toRepeatOptions } from "../tasks/schedule-rules";

/**
 * Makes the site queue's BullMQ job schedulers match the site's tasks in PostgreSQL: one scheduler per
 * task (`task-<id>`) with the repeat options of its schedule; schedulers of deleted tasks (or tasks of
 * another site) are removed. Run at start and every COFFER_RECONCILE_SECONDS (default 60 s), so a change
 * made in the console applies within two minutes (seed 004); a run in progress is not touched and the
 * change applies from the next run.
 *
 * A scheduler is only upserted when its repeat options changed (jobs/schedulers.ts).
 */
export type TReconcileResult = { upserted: string[]; removed: string[]; unchanged: number };

export async function reconcileSchedulers(
  db: Db,
  queue: Queue,
  siteId: string,
  now: Date = new Date(),
): Promise<TReconcileResult> {
  const [tasks, schedules, existing] = await Promise.all([
    listTasks(db, { siteId }),
    listSchedules(db),
    queue.getJobSchedulers(0, -1),
  ]);
  const scheduleById = new Map(schedules.map((s) => [s.id, s]));
  const current = new Map(existing.map((s) => [s.key, s]));
  const result: TReconcileResult = { upserted: [], removed: [], unchanged: 0 };
  const wanted = new Set<string>();

  for (const task of tasks) {
    const schedule = scheduleById.get(task.schedule_id);
    if (!schedule) continue;
    const id = taskSchedulerId(task.id);
    wanted.add(id);
    const changed = await upsertTaskScheduler(
      queue,
      task.id,
      toRepeatOptions(schedule),
      current.get(id) ?? null,
    );
    if (changed) result.upserted.push(task.id);
    else result.unchanged++;
    // The scheduler's own next tick is the truth for interval schedules (anchored at their creation).
    const tick = changed ? (await queue.getJobScheduler(id))?.next : current.get(id)?.next;
    const next = nextRunAfter(schedule, new Date(now.getTime() - 1), tick ?? undefined);
    if (task.status !== "running" && (next?.getTime() ?? null) !== (task.next_run_at?.getTime() ?? null)) {
      await setTaskState(db, task.id, { nextRunAt: next });
    }
  }

  for (const s of existing) {
    if (s.key.startsWith("task-") && !wanted.has(s.key)) {
      await queue.removeJobScheduler(s.key);
      result.removed.push(s.key.slice("task-".length));
    }
  }
  return result;
}
