import { appendAudit } from "@coffer/db/audit/audit-log";
import { type RunResult, TASK_TYPES, type TaskStatus, type TaskType } from "@coffer/db/schema";
import { findDefinitionById } from "@coffer/db/tasks/definitions";
import { findScheduleById } from "@coffer/db/tasks/schedules";
import { findSiteById } from "@coffer/db/tasks/sites";
import { findRunningRun, findTasksByName, findTaskWithNames } from "@coffer/db/tasks/task-queries";
import { listTaskRuns } from "@coffer/db/tasks/task-runs";
import * as dbTasks from "@coffer/db/tasks/tasks";
import { inTransaction } from "@coffer/db/transaction";
import { z } from "zod";
import { checkTarget } from "../directory/resolve-target";
import type { TDirectoryGroup } from "../graph/directory-port";
import type { TTasksContext } from "./context";
import {
  isUuid,
  parseInput,
  TaskConflictError,
  TaskInputError,
  TaskNotFoundError,
  type TFieldIssue,
} from "./errors";
import { subscribeProgress, type TTaskProgressEvent } from "./progress";
import type { TRunOutcome } from "./run-task";
import { toRepeatOptions } from "./schedule-rules";
import { ZTaskTarget } from "./target-rules";
import { TASK_TYPE_INFO } from "./task-types";
import {
  definitionView,
  runSummary,
  SITE_ONLINE_WITHIN_MS,
  scheduleView,
  siteView,
  type TTaskDetail,
  type TTaskView,
  taskTargetInput,
  taskView,
} from "./views";

/** Exchange Tasks: list, show, create, update (schedule and definition), run now, live progress. */

const ZId = (what: string) =>
  z
    .string({ error: `Choose the ${what}.` })
    .trim()
    .min(1, { error: `Choose the ${what}.` });

export const ZTaskInput = z.object({
  name: z
    .string({ error: "Give the task a name." })
    .trim()
    .min(1, { error: "Give the task a name." })
    .max(200, { error: "A task name can be at most 200 characters." }),
  siteId: ZId("Synchronization Engine Site"),
  scheduleId: ZId("schedule"),
  /** Optional: the definition's type is the task's; when given it must match (the wizard's type step). */
  type: z.enum(TASK_TYPES, { error: "Choose the task type." }).optional(),
  definitionId: ZId("definition"),
  target: ZTaskTarget,
});
export type TTaskInput = z.input<typeof ZTaskInput>;

/** What can change on a task (seed 004: the schedule and the definition; the name too). */
export const ZTaskUpdate = z
  .object({
    name: ZTaskInput.shape.name.optional(),
    scheduleId: ZId("schedule").optional(),
    definitionId: ZId("definition").optional(),
  })
  .refine((u) => u.name !== undefined || u.scheduleId !== undefined || u.definitionId !== undefined, {
    error: "Nothing to change: give a new name, schedule or definition.",
  });
export type TTaskUpdate = z.input<typeof ZTaskUpdate>;

export type TTaskFilter = {
  type?: TaskType;
  siteId?: string;
  status?: TaskStatus;
  lastResult?: RunResult;
  /** Case-insensitive substring of the task's name or target. */
  search?: string;
};

export async function listTasks(ctx: TTasksContext, filter: TTaskFilter = {}): Promise<TTaskView[]> {
  const rows = await dbTasks.listTasks(ctx.db, {
    ...(filter.type ? { type: filter.type } : {}),
    ...(filter.siteId && isUuid(filter.siteId) ? { siteId: filter.siteId } : {}),
  });
  const search = filter.search?.trim().toLowerCase();
  return rows
    .filter((t) => !filter.status || t.status === filter.status)
    .filter((t) => !filter.lastResult || t.last_result === filter.lastResult)
    .filter(
      (t) =>
        !search || t.name.toLowerCase().includes(search) || t.target_value.toLowerCase().includes(search),
    )
    .map(taskView);
}

/** A task by id, or by name when the name is unique (the CLI's `<id|name>`). */
export async function resolveTaskId(ctx: TTasksContext, idOrName: string): Promise<string> {
  if (isUuid(idOrName) && (await dbTasks.findTaskById(ctx.db, idOrName))) return idOrName;
  const named = await findTasksByName(ctx.db, idOrName);
  if (named.length === 1) return named[0]!.id;
  if (named.length > 1) {
    throw new TaskConflictError(
      `${named.length} tasks are named "${idOrName}"; use the id: ${named.map((t) => t.id).join(", ")}.`,
    );
  }
  throw new TaskNotFoundError(`There is no task with the id or name "${idOrName}".`);
}

export async function getTask(ctx: TTasksContext, idOrName: string): Promise<TTaskDetail> {
  const id = await resolveTaskId(ctx, idOrName);
  const row = await findTaskWithNames(ctx.db, id);
  if (!row) throw new TaskNotFoundError(`There is no task ${idOrName}.`);
  const [schedule, definition, site, running, [latest]] = await Promise.all([
    findScheduleById(ctx.db, row.schedule_id),
    findDefinitionById(ctx.db, row.definition_id),
    findSiteById(ctx.db, row.site_id),
    findRunningRun(ctx.db, id),
    listTaskRuns(ctx.db, id, 1),
  ]);
  return {
    ...taskView(row),
    targetInput: taskTargetInput(row),
    scheduleDetail: scheduleView(schedule!),
    definitionDetail: definitionView(definition!),
    siteDetail: siteView(site!),
    currentRun: running ? runSummary(running) : null,
    lastRun: latest ? runSummary(latest) : null,
  };
}

/**
 * The New Exchange Task wizard's save. Checks the form (zod), then that the site, schedule and
 * definition exist and agree with the type, then the target against the directory (an unknown group,
 * DN or address is refused). Throws TaskInputError listing every problem; nothing is saved then.
 * The new task is Unknown until its first run; its scheduler is created at once when Redis is reachable
 * (else by the worker within a minute). An interval schedule runs a new task right away.
 */
export async function createTask(ctx: TTasksContext, input: TTaskInput, actor: string): Promise<TTaskDetail> {
  const parsed = parseInput(ZTaskInput, input);
  const issues: TFieldIssue[] = [];
  const site = isUuid(parsed.siteId) ? await findSiteById(ctx.db, parsed.siteId) : undefined;
  if (!site)
    issues.push({ field: "siteId", message: `There is no Synchronization Engine Site ${parsed.siteId}.` });
  const schedule = isUuid(parsed.scheduleId) ? await findScheduleById(ctx.db, parsed.scheduleId) : undefined;
  if (!schedule) issues.push({ field: "scheduleId", message: `There is no schedule ${parsed.scheduleId}.` });
  const definition = isUuid(parsed.definitionId)
    ? await findDefinitionById(ctx.db, parsed.definitionId)
    : undefined;
  if (!definition)
    issues.push({ field: "definitionId", message: `There is no definition ${parsed.definitionId}.` });
  if (definition && parsed.type && definition.type !== parsed.type) {
    issues.push({
      field: "definitionId",
      message: `The definition "${definition.name}" is a ${TASK_TYPE_INFO[definition.type].label} definition, not ${TASK_TYPE_INFO[parsed.type].label}.`,
    });
  }
  const target = await checkTarget(ctx.directory, parsed.target);
  if (!target.ok) issues.push({ field: target.field, message: target.message });
  if (issues.length || !site || !schedule || !definition || !target.ok) throw new TaskInputError(issues);

  const task = await inTransaction(ctx.db, async (trx) => {
    const created = await dbTasks.createTask(
      trx,
      {
        name: parsed.name,
        siteId: site.id,
        scheduleId: schedule.id,
        definitionId: definition.id,
        type: definition.type,
        targetKind: target.stored.kind,
        targetValue: target.stored.value,
        targetGroupId: target.stored.groupId,
      },
      actor,
    );
    await appendAudit(trx, {
      actorUpn: actor,
      action: "task.create",
      target: created.id,
      detail: {
        name: created.name,
        type: created.type,
        target: `${created.target_kind}:${created.target_value}`,
      },
    });
    return created;
  });
  await ctx.producer.upsertScheduler(site.id, task.id, toRepeatOptions(schedule)).catch(() => {});
  return getTask(ctx, task.id);
}

/**
 * Changes a task's name, schedule and/or definition (the site and target stay, as in the seed). Takes
 * effect within two minutes, or after the running execution ends (it reads its settings when it starts).
 */
export async function updateTask(
  ctx: TTasksContext,
  id: string,
  input: TTaskUpdate,
  actor: string,
): Promise<TTaskDetail> {
  const parsed = parseInput(ZTaskUpdate, input);
  const taskId = await resolveTaskId(ctx, id);
  const task = (await dbTasks.findTaskById(ctx.db, taskId))!;
  const issues: TFieldIssue[] = [];
  const scheduleId = parsed.scheduleId ?? task.schedule_id;
  const schedule = isUuid(scheduleId) ? await findScheduleById(ctx.db, scheduleId) : undefined;
  if (!schedule) issues.push({ field: "scheduleId", message: `There is no schedule ${scheduleId}.` });
  const definitionId = parsed.definitionId ?? task.definition_id;
  const definition = isUuid(definitionId) ? await findDefinitionById(ctx.db, definitionId) : undefined;
  if (!definition) issues.push({ field: "definitionId", message: `There is no definition ${definitionId}.` });
  else if (definition.type !== task.type) {
    issues.push({
      field: "definitionId",
      message: `The task is a ${TASK_TYPE_INFO[task.type].label} task; "${definition.name}" is a ${TASK_TYPE_INFO[definition.type].label} definition.`,
    });
  }
  if (issues.length || !schedule || !definition) throw new TaskInputError(issues);

  await inTransaction(ctx.db, async (trx) => {
    await dbTasks.updateTask(
      trx,
      taskId,
      {
        name: parsed.name ?? task.name,
        siteId: task.site_id,
        scheduleId: schedule.id,
        definitionId: definition.id,
        type: task.type,
        targetKind: task.target_kind,
        targetValue: task.target_value,
        targetGroupId: task.target_group_id,
      },
      actor,
    );
    await appendAudit(trx, {
      actorUpn: actor,
      action: "task.update",
      target: taskId,
      detail: { ...parsed },
    });
  });
  await ctx.producer.upsertScheduler(task.site_id, taskId, toRepeatOptions(schedule)).catch(() => {});
  return getTask(ctx, taskId);
}

export type TRunNowResult = {
  taskId: string;
  jobId: string;
  /** Whether a worker of the task's site has reported in the last 90 s (else the run waits for one). */
  isSiteOnline: boolean;
  /** With `wait`: the run's result, or why no run started (already running, task deleted). */
  outcome?: TRunOutcome;
};

/**
 * Starts a run now on the task's site (a worker of that site must be running). With `wait`, resolves when
 * it has finished (or `timeoutMs` passed: then it throws, and the run goes on).
 */
export async function runTaskNow(
  ctx: TTasksContext,
  idOrName: string,
  actor: string,
  opts: { wait?: boolean; timeoutMs?: number } = {},
): Promise<TRunNowResult> {
  const taskId = await resolveTaskId(ctx, idOrName);
  const task = (await dbTasks.findTaskById(ctx.db, taskId))!;
  const site = siteView((await findSiteById(ctx.db, task.site_id))!);
  if (opts.wait && !site.isOnline) {
    throw new TaskConflictError(
      `No worker of the site "${site.name}" has reported in the last ${SITE_ONLINE_WITHIN_MS / 1000} s, so nothing would run the task: ` +
        `start one with \`coffer worker\` (COFFER_SITE=${site.name}).`,
    );
  }
  const jobId = await ctx.producer.enqueueRun(
    task.site_id,
    { taskId, trigger: "manual", requestedBy: actor },
    { isWaiting: !!opts.wait },
  );
  await appendAudit(ctx.db, { actorUpn: actor, action: "task.run_now", target: taskId, detail: { jobId } });
  if (!opts.wait) return { taskId, jobId, isSiteOnline: site.isOnline };
  const outcome = await ctx.producer.waitForRun(task.site_id, jobId, opts.timeoutMs ?? 3600_000);
  return { taskId, jobId, isSiteOnline: site.isOnline, outcome };
}

/** The console's "Lookup from AD": groups whose display name starts with `query` (at least 1 character). */
export async function lookupGroups(
  ctx: TTasksContext,
  query: string,
  limit = 25,
): Promise<TDirectoryGroup[]> {
  const q = query.trim();
  if (!q) return [];
  return ctx.directory.searchGroups(q, limit);
}

/** A task's live progress from the database (for polling; the same shape as the published events). */
export async function getTaskProgress(ctx: TTasksContext, taskId: string): Promise<TTaskProgressEvent> {
  const task = isUuid(taskId) ? await dbTasks.findTaskById(ctx.db, taskId) : undefined;
  if (!task) throw new TaskNotFoundError(`There is no task ${taskId}.`);
  const running = await findRunningRun(ctx.db, taskId);
  const [latest] = running ? [running] : await listTaskRuns(ctx.db, taskId, 1);
  return {
    taskId,
    runId: latest?.id ?? null,
    status: task.status,
    command: task.command,
    latestDetail: task.latest_detail,
    mailboxesDone: latest?.mailboxes_done ?? 0,
    mailboxesTotal: latest?.mailboxes_total ?? 0,
    sequence: task.sequence,
    lastResult: task.last_result,
    lastResultMessage: task.last_result_message,
    at: new Date().toISOString(),
  };
}

/**
 * Live progress events of all tasks (or one), pushed by the workers as runs go. Returns the function
 * that stops listening. Opens one Redis connection per call: hold one per server process and fan out.
 */
export function subscribeTaskProgress(
  ctx: TTasksContext,
  listener: (event: TTaskProgressEvent) => void,
  filter: { taskId?: string } = {},
): Promise<() => Promise<void>> {
  return subscribeProgress(ctx.redis.duplicate(), ctx.redisPrefix, listener, filter);
}
