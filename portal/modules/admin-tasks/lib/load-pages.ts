import "server-only";
import type { TaskType } from "@coffer/db/schema";
import {
  describeTaskDeletion,
  getDefinition,
  getExchangeServicesDashboard,
  getSchedule,
  getTask,
  getTaskRun,
  listDefinitions,
  listSchedules,
  listSites,
  listTaskRuns,
  listTasks,
  previewSchedule,
} from "@coffer/worker/tasks/index";
import { notFound } from "next/navigation";
import { formatDateTime } from "./format";
import { orNotFound, type TParsedTaskListQuery, taskFilterOf } from "./queries";
import { taskTypeOptions } from "./task-types";
import { tasksContext } from "./tasks-context";

/** What each console page reads, through the Exchange Tasks API (never the database directly). */

export async function loadDashboard() {
  const ctx = tasksContext();
  const [dashboard, sites] = await Promise.all([
    getExchangeServicesDashboard(ctx, { recent: 15 }),
    listSites(ctx),
  ]);
  return { dashboard, sites };
}

export async function loadTaskList(query: TParsedTaskListQuery) {
  const ctx = tasksContext();
  const [tasks, sites] = await Promise.all([listTasks(ctx, taskFilterOf(query)), listSites(ctx)]);
  return { tasks, sites, types: taskTypeOptions() };
}

export async function loadWizard() {
  const ctx = tasksContext();
  const [sites, schedules, definitions] = await Promise.all([
    listSites(ctx),
    listSchedules(ctx),
    listDefinitions(ctx),
  ]);
  return {
    sites: sites.map((s) => ({
      id: s.id,
      name: s.name,
      isOnline: s.isOnline,
      lastHeartbeat: formatDateTime(s.lastHeartbeatAt),
    })),
    schedules: schedules.map((s) => ({ id: s.id, name: s.name, description: s.description })),
    definitions: definitions.map((d) => ({ id: d.id, name: d.name, type: d.type, version: d.version })),
    types: taskTypeOptions(),
  };
}

/** The task and its removal warning (shown by the Remove Task dialog on every tab). */
export async function loadTask(taskId: string) {
  const ctx = tasksContext();
  const task = await orNotFound(getTask(ctx, taskId));
  // A task is addressed by its id here (the API also resolves names, which the console never links to).
  if (task.id !== taskId) notFound();
  const deletion = await orNotFound(describeTaskDeletion(ctx, task.id));
  return { task, deletion };
}

export async function loadTaskOptions(type: TaskType) {
  const ctx = tasksContext();
  const [schedules, definitions] = await Promise.all([listSchedules(ctx), listDefinitions(ctx, { type })]);
  return { schedules, definitions };
}

export function loadTaskRuns(taskId: string) {
  return orNotFound(listTaskRuns(tasksContext(), taskId, { limit: 100 }));
}

export async function loadRun(taskId: string, runId: string) {
  const detail = await orNotFound(getTaskRun(tasksContext(), runId));
  // A run is shown under its own task only.
  if (detail.run.taskId !== taskId) notFound();
  return detail;
}

export function loadSchedules() {
  return listSchedules(tasksContext());
}

export async function loadSchedule(id: string) {
  const ctx = tasksContext();
  const schedule = await orNotFound(getSchedule(ctx, id));
  const usage = (await listSchedules(ctx)).find((s) => s.id === id)?.taskCount ?? 0;
  let nextRuns: Date[] = [];
  try {
    nextRuns = previewSchedule(
      {
        name: schedule.name,
        kind: schedule.kind,
        cron: schedule.cron ?? undefined,
        intervalMinutes: schedule.intervalMinutes ?? undefined,
        timeZone: schedule.timeZone,
        window: schedule.window,
      },
      5,
    ).nextRuns;
  } catch {
    // A stored schedule is valid; if the rules tightened since, the page shows no preview.
  }
  return { schedule, usage, nextRuns };
}

export async function loadDefinitions(type?: TaskType) {
  const definitions = await listDefinitions(tasksContext(), type ? { type } : {});
  return { definitions, types: taskTypeOptions() };
}

export async function loadDefinition(id: string) {
  const definition = await orNotFound(getDefinition(tasksContext(), id));
  return { definition, types: taskTypeOptions() };
}

export function loadSites() {
  return listSites(tasksContext());
}

/** The live panel's first state, from the task as the page read it (then the progress route takes over). */
export function liveProgressOf(task: Awaited<ReturnType<typeof getTask>>) {
  const run = task.currentRun ?? task.lastRun;
  return {
    taskId: task.id,
    runId: run?.id ?? null,
    status: task.status,
    command: task.command,
    latestDetail: task.latestDetail,
    mailboxesDone: run?.mailboxesDone ?? 0,
    mailboxesTotal: run?.mailboxesTotal ?? 0,
    sequence: task.sequence ?? 0,
    lastResult: task.lastResult,
    lastResultMessage: task.lastResultMessage,
  };
}
