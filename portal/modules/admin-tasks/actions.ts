"use server";

import { TASK_TYPES, type TaskType } from "@coffer/db/schema";
import {
  createDefinition,
  createSchedule,
  createTask,
  deleteDefinition,
  deleteSchedule,
  deleteTask,
  getTask,
  runTaskNow,
  TaskInputError,
  type TTaskInput,
  updateDefinition,
  updateSchedule,
  updateTask,
} from "@coffer/worker/tasks/index";
import { redirect } from "next/navigation";
import { adminAction } from "./lib/admin-action";
import type { TFormState } from "./lib/form-state";
import { definitionSettingsFromForm, scheduleInputFromForm, settingsFieldOf } from "./lib/parse-forms";
import { adminPaths } from "./lib/paths";
import { tasksContext } from "./lib/tasks-context";

/**
 * The admin console's server actions (one per use case). Each one checks that the caller is an
 * administrator before anything else (adminAction), passes the form to the Exchange Tasks API, which
 * validates it and saves nothing when it is invalid, and answers with the API's sentences per field.
 * The acting administrator's UPN is recorded as "last modified by" and in the audit log.
 */

// Actions are public endpoints: whatever arrives is checked, a non-form body reads as empty fields.
const str = (form: unknown, name: string): string => {
  const v = form instanceof FormData ? form.get(name) : null;
  return typeof v === "string" ? v : "";
};
const isInline = (form: FormData) => str(form, "mode") === "inline";

export type TCreatedSchedule = { id: string; name: string; description: string };
export type TCreatedDefinition = { id: string; name: string; type: TaskType; version: number };

/** Create (no id) or edit a schedule. Inline (the wizard's "Create new") returns it instead of leaving. */
export async function saveScheduleAction(
  _prev: TFormState<TCreatedSchedule>,
  form: FormData,
): Promise<TFormState<TCreatedSchedule>> {
  return adminAction("saveSchedule", async (actor) => {
    const id = str(form, "id");
    const input = scheduleInputFromForm(form);
    const ctx = tasksContext();
    const saved = id
      ? await updateSchedule(ctx, id, input, actor.upn)
      : await createSchedule(ctx, input, actor.upn);
    const data = { id: saved.id, name: saved.name, description: saved.description };
    if (isInline(form)) return { status: "ok", message: `Schedule "${saved.name}" created.`, data };
    redirect(`${adminPaths.schedules}?saved=${encodeURIComponent(saved.id)}`);
  });
}

export async function deleteScheduleAction(_prev: TFormState, form: FormData): Promise<TFormState> {
  return adminAction("deleteSchedule", async (actor) => {
    await deleteSchedule(tasksContext(), str(form, "id"), actor.upn);
    redirect(`${adminPaths.schedules}?deleted=${encodeURIComponent(str(form, "name"))}`);
  });
}

function parseType(value: string): TaskType | undefined {
  return (TASK_TYPES as readonly string[]).includes(value) ? (value as TaskType) : undefined;
}

/** Create (no id; the type comes from the form) or edit a definition (a new version). */
export async function saveDefinitionAction(
  _prev: TFormState<TCreatedDefinition>,
  form: FormData,
): Promise<TFormState<TCreatedDefinition>> {
  // Read inside the action (after the admin check); the issue mapping below needs it too.
  let type: TaskType | undefined;
  return adminAction(
    "saveDefinition",
    async (actor) => {
      type = parseType(str(form, "type"));
      if (!type) throw TaskInputError.field("type", "Choose the task type of the definition.");
      const id = str(form, "id");
      const settings = definitionSettingsFromForm(type, form);
      const ctx = tasksContext();
      const saved = id
        ? await updateDefinition(ctx, id, { name: str(form, "name"), settings }, actor.upn)
        : await createDefinition(ctx, { type, name: str(form, "name"), settings }, actor.upn);
      const data = { id: saved.id, name: saved.name, type: saved.type, version: saved.version };
      if (isInline(form)) return { status: "ok", message: `Definition "${saved.name}" created.`, data };
      redirect(`${adminPaths.definitions(saved.type)}&saved=${encodeURIComponent(saved.id)}`);
    },
    (issue) => {
      if (!type) return issue;
      const { field, prefix } = settingsFieldOf(type, issue.field);
      return { field, message: `${prefix ?? ""}${issue.message}` };
    },
  );
}

export async function deleteDefinitionAction(_prev: TFormState, form: FormData): Promise<TFormState> {
  return adminAction("deleteDefinition", async (actor) => {
    await deleteDefinition(tasksContext(), str(form, "id"), actor.upn);
    redirect(`${adminPaths.definitions()}?deleted=${encodeURIComponent(str(form, "name"))}`);
  });
}

/**
 * The New Exchange Task wizard's "Save and Exit": everything the wizard collected, checked by the API
 * (site, schedule, definition of the chosen type, the target against the directory). On success the
 * admin lands on the task list with the new task marked.
 */
export async function createTaskAction(input: TTaskInput): Promise<TFormState<{ id: string }>> {
  return adminAction("createTask", async (actor) => {
    const task = await createTask(tasksContext(), input, actor.upn);
    redirect(adminPaths.tasks({ created: task.id }));
  });
}

/** The task's Options: only the schedule and the definition (and the name) can change (seed 004). */
export async function updateTaskAction(_prev: TFormState, form: FormData): Promise<TFormState> {
  return adminAction("updateTask", async (actor) => {
    const id = str(form, "id");
    await updateTask(
      tasksContext(),
      id,
      {
        name: str(form, "name"),
        scheduleId: str(form, "scheduleId"),
        definitionId: str(form, "definitionId"),
      },
      actor.upn,
    );
    redirect(`${adminPaths.task(id)}?saved=1`);
  });
}

export async function runTaskNowAction(_prev: TFormState, form: FormData): Promise<TFormState> {
  return adminAction("runTaskNow", async (actor) => {
    const ctx = tasksContext();
    const task = await getTask(ctx, str(form, "id"));
    await runTaskNow(ctx, task.id, actor.upn);
    const site = task.siteDetail;
    return {
      status: "ok",
      message: site.isOnline
        ? `Run requested: the worker of site "${site.name}" starts it within seconds.`
        : `Run requested, but no worker of site "${site.name}" has reported in the last 90 seconds: the run starts when one is running.`,
    };
  });
}

/** Remove Task, after the admin confirmed the warning (the Full View of its mailboxes is reset). */
export async function deleteTaskAction(_prev: TFormState, form: FormData): Promise<TFormState> {
  return adminAction("deleteTask", async (actor) => {
    const result = await deleteTask(
      tasksContext(),
      str(form, "id"),
      { confirm: str(form, "confirm") === "yes" },
      actor.upn,
    );
    redirect(adminPaths.tasks({ removed: result.name }));
  });
}
