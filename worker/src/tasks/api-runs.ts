import type { TaskType } from "@coffer/db/schema";
import {
  listRunLogs as dbListRunLogs,
  listTaskRuns as dbListTaskRuns,
  findTaskRunById,
  listRunMailboxes,
} from "@coffer/db/tasks/task-runs";
import { findTaskById } from "@coffer/db/tasks/tasks";
import { resolveTaskId } from "./api-tasks";
import type { TTasksContext } from "./context";
import { isUuid, TaskNotFoundError } from "./errors";
import {
  runLogLine,
  runMailboxView,
  runSummary,
  type TRunLogLine,
  type TRunMailboxView,
  type TRunSummary,
} from "./views";

/** The seed's Logs: Task Summary Logs (one per run) and the detail of one run (per mailbox, log lines). */

/** A task's runs, newest first. */
export async function listTaskRuns(
  ctx: TTasksContext,
  idOrName: string,
  opts: { limit?: number } = {},
): Promise<TRunSummary[]> {
  const taskId = await resolveTaskId(ctx, idOrName);
  return (await dbListTaskRuns(ctx.db, taskId, opts.limit ?? 50)).map((r) => runSummary(r));
}

export type TRunDetail = {
  run: TRunSummary;
  task: { id: string; name: string; type: TaskType } | null;
  mailboxes: TRunMailboxView[];
  logs: TRunLogLine[];
};

export async function getTaskRun(ctx: TTasksContext, runId: string): Promise<TRunDetail> {
  const run = isUuid(runId) ? await findTaskRunById(ctx.db, runId) : undefined;
  if (!run) throw new TaskNotFoundError(`There is no run ${runId}.`);
  const [task, mailboxes, logs] = await Promise.all([
    findTaskById(ctx.db, run.task_id),
    listRunMailboxes(ctx.db, runId),
    dbListRunLogs(ctx.db, runId, { limit: 5000 }),
  ]);
  return {
    run: runSummary(run),
    task: task ? { id: task.id, name: task.name, type: task.type } : null,
    mailboxes: mailboxes.map(runMailboxView),
    logs: logs.map(runLogLine),
  };
}

/** A run's log lines after `afterId` (live tail: pass the last id you have). */
export async function listRunLogs(
  ctx: TTasksContext,
  runId: string,
  page: { afterId?: number; limit?: number } = {},
): Promise<TRunLogLine[]> {
  if (!isUuid(runId)) throw new TaskNotFoundError(`There is no run ${runId}.`);
  return (await dbListRunLogs(ctx.db, runId, page)).map(runLogLine);
}
