import { resetFullView, type TFullViewReset } from "@coffer/db/archive/reset-full-view";
import { appendAudit } from "@coffer/db/audit/audit-log";
import { isOnHold } from "@coffer/db/retention/legal-holds";
import type { DataType } from "@coffer/db/schema";
import { listDefinitionVersions } from "@coffer/db/tasks/definitions";
import { findRunningRun, listTaskMailboxIds } from "@coffer/db/tasks/task-queries";
import * as dbTasks from "@coffer/db/tasks/tasks";
import { inTransaction } from "@coffer/db/transaction";
import { resolveTaskId } from "./api-tasks";
import type { TTasksContext } from "./context";
import { TaskConflictError, TaskInputError } from "./errors";
import { parseSettings } from "./task-types";

/**
 * Removing a task (seed 004): the console first shows a warning that removing the task resets the
 * Exchange Folders Full View of every mailbox the task processed; on OK the task, its runs and logs are
 * deleted and the Full View is reset (db/src/archive/reset-full-view.ts: the history that is no longer
 * current is forgotten). Mailboxes under legal hold keep their history: the warning says how many.
 *
 * Only folder replication builds a Full View, so deleting a task of another type resets nothing (its
 * warning says so). A running task cannot be deleted: wait for its execution to end.
 */

export type TTaskDeletionPreview = {
  taskId: string;
  name: string;
  /** The sentence the confirmation dialog shows. */
  warning: string;
  /** Mailboxes the task has processed (their Full View is reset). */
  mailboxCount: number;
  /** Of those, under legal hold: their history is kept. */
  mailboxesOnHold: number;
  resetsFullView: boolean;
  isRunning: boolean;
};

export type TTaskDeletionResult = {
  taskId: string;
  name: string;
  fullViewReset: TFullViewReset[];
};

/** The data types whose Full View a task's runs built: every data type any version of its definition replicated. */
async function replicatedDataTypes(
  ctx: TTasksContext,
  task: { type: string; definition_id: string },
): Promise<DataType[]> {
  if (task.type !== "folder_replication") return [];
  const types = new Set<DataType>();
  for (const v of await listDefinitionVersions(ctx.db, task.definition_id)) {
    const s = parseSettings("folder_replication", v.settings);
    for (const t of s.success ? (s.data.dataTypes as DataType[]) : ["mail" as DataType]) types.add(t);
  }
  if (types.size === 0) types.add("mail");
  return [...types];
}

export async function describeTaskDeletion(
  ctx: TTasksContext,
  idOrName: string,
): Promise<TTaskDeletionPreview> {
  const taskId = await resolveTaskId(ctx, idOrName);
  const task = (await dbTasks.findTaskById(ctx.db, taskId))!;
  const mailboxIds = await listTaskMailboxIds(ctx.db, taskId);
  const resetsFullView = (await replicatedDataTypes(ctx, task)).length > 0;
  let onHold = 0;
  for (const id of mailboxIds) if (await isOnHold(ctx.db, id)) onHold++;
  const isRunning = !!(await findRunningRun(ctx.db, taskId));
  const n = mailboxIds.length;
  let warning: string;
  if (!resetsFullView) {
    warning = `Remove the task "${task.name}"? Its logs are deleted too. This task type builds no Full View, so no archive data changes.`;
  } else {
    warning =
      `Removing the task "${task.name}" will reset the Exchange Folders Full View for all ${n} ${n === 1 ? "mailbox" : "mailboxes"} processed by the task: ` +
      "messages and folders that have since been deleted or moved will no longer be shown at earlier points in time. " +
      "Current folders and messages stay archived. Its logs are deleted too." +
      (onHold
        ? ` ${onHold} ${onHold === 1 ? "mailbox is under legal hold and keeps its" : "mailboxes are under legal hold and keep their"} history.`
        : "");
  }
  if (isRunning) warning += " The task is running now: wait for it to finish before removing it.";
  return {
    taskId,
    name: task.name,
    warning,
    mailboxCount: n,
    mailboxesOnHold: onHold,
    resetsFullView,
    isRunning,
  };
}

/**
 * Deletes the task after confirmation (`confirm: true`, given once the admin saw describeTaskDeletion's
 * warning) and resets the Full View of its mailboxes, in one transaction; removes its job scheduler.
 */
export async function deleteTask(
  ctx: TTasksContext,
  idOrName: string,
  opts: { confirm: boolean },
  actor: string,
): Promise<TTaskDeletionResult> {
  const preview = await describeTaskDeletion(ctx, idOrName);
  if (opts.confirm !== true) {
    throw TaskInputError.field("confirm", `Confirm the removal. ${preview.warning}`);
  }
  if (preview.isRunning) {
    throw new TaskConflictError(
      `The task "${preview.name}" is running; remove it after its execution has ended.`,
    );
  }
  const task = (await dbTasks.findTaskById(ctx.db, preview.taskId))!;
  const dataTypes = await replicatedDataTypes(ctx, task);
  const mailboxIds = await listTaskMailboxIds(ctx.db, task.id);
  const fullViewReset = await inTransaction(ctx.db, async (trx) => {
    const reset = await resetFullView(trx, mailboxIds, dataTypes);
    await dbTasks.deleteTask(trx, task.id);
    await appendAudit(trx, {
      actorUpn: actor,
      action: "task.delete",
      target: task.id,
      detail: {
        name: task.name,
        type: task.type,
        fullViewReset: reset.map((r) => ({
          mailboxId: r.mailboxId,
          keptForLegalHold: r.isKeptForLegalHold,
          items: r.itemVersionsRemoved,
          folders: r.folderVersionsRemoved,
        })),
      },
    });
    return reset;
  });
  await ctx.producer.removeScheduler(task.site_id, task.id).catch(() => {
    // The worker's reconciler removes it within a minute.
  });
  return { taskId: task.id, name: task.name, fullViewReset };
}
