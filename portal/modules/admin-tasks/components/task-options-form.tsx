"use client";

import Link from "next/link";
import { updateTaskAction } from "../actions";
import { adminPaths } from "../lib/paths";
import { FormMessage, SelectField, TextField } from "./fields";
import { BUTTON_PRIMARY, LINK } from "./ui";
import { useConsoleForm } from "./use-console-form";

/**
 * The task's Options (seed 004 "Modifying Tasks"): only the schedule and the definition can change (and
 * the name); the site and the group stay — a different site or group is a new task.
 */
export function TaskOptionsForm({
  task,
  schedules,
  definitions,
  readOnly,
}: {
  task: { id: string; name: string; scheduleId: string; definitionId: string; typeLabel: string };
  schedules: Array<{ id: string; name: string; description: string }>;
  definitions: Array<{ id: string; name: string; version: number }>;
  readOnly: Array<{ term: string; value: string }>;
}) {
  const { state, isPending, onSubmit, formRef } = useConsoleForm(updateTaskAction);
  const errors = state.fieldErrors;
  return (
    <form ref={formRef} onSubmit={onSubmit} noValidate className="max-w-2xl space-y-5">
      <input type="hidden" name="id" value={task.id} />
      <h2 className="text-xl font-semibold text-slate-900">Options</h2>
      <FormMessage status={state.status} message={state.message} />
      <TextField
        id="task-name"
        field="name"
        name="name"
        label="Name"
        defaultValue={task.name}
        errors={errors}
        isRequired
      />
      <SelectField
        id="task-schedule"
        field="scheduleId"
        name="scheduleId"
        label="Schedule"
        defaultValue={task.scheduleId}
        options={schedules.map((s) => ({ value: s.id, label: `${s.name} — ${s.description}` }))}
        errors={errors}
        hint={
          <>
            <Link href={adminPaths.newSchedule} className={LINK}>
              Create a schedule
            </Link>{" "}
            first if none fits.
          </>
        }
      />
      <SelectField
        id="task-definition"
        field="definitionId"
        name="definitionId"
        label={`${task.typeLabel} definition`}
        defaultValue={task.definitionId}
        options={definitions.map((d) => ({ value: d.id, label: `${d.name} (version ${d.version})` }))}
        errors={errors}
      />
      <p className="rounded-md border border-slate-200 bg-slate-50 px-3 py-2 text-sm text-slate-700">
        Changes apply within two minutes, or after the current run if the task is running now.
      </p>
      <dl className="grid gap-x-6 gap-y-1 text-sm sm:grid-cols-[12rem_1fr]">
        {readOnly.map((r) => (
          <div key={r.term} className="contents">
            <dt className="font-medium text-slate-700">{r.term}</dt>
            <dd className="break-words text-slate-900">{r.value}</dd>
          </div>
        ))}
      </dl>
      <p className="text-sm text-slate-600">
        The site, the type and the group cannot be changed: create a new task for another site or group.
      </p>
      <button type="submit" className={BUTTON_PRIMARY} disabled={isPending}>
        {isPending ? "Saving…" : "Save and Exit"}
      </button>
    </form>
  );
}
