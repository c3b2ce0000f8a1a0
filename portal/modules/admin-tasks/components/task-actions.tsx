"use client";

import { useId, useRef } from "react";
import { deleteTaskAction, runTaskNowAction } from "../actions";
import { FormMessage } from "./fields";
import { BUTTON_DANGER, BUTTON_SECONDARY } from "./ui";
import { useConsoleForm } from "./use-console-form";

/** Run now: queues a run on the task's site; the Information panel shows it start and progress. */
export function RunNowButton({ taskId }: { taskId: string }) {
  const { state, isPending, onSubmit, formRef } = useConsoleForm(runTaskNowAction);
  return (
    <form ref={formRef} onSubmit={onSubmit} className="flex flex-col items-end gap-2">
      <input type="hidden" name="id" value={taskId} />
      <button type="submit" className={BUTTON_SECONDARY} disabled={isPending}>
        {isPending ? "Requesting…" : "Run now"}
      </button>
      <div className="max-w-sm text-right">
        <FormMessage status={state.status} message={state.message} />
      </div>
    </form>
  );
}

/**
 * Remove Task (seed 004 "Deleting Tasks"): a modal dialog with the warning that removing the task resets
 * the Exchange Folders Full View of every mailbox it processed; OK removes it. The native <dialog> keeps
 * the focus inside while open and closes on Escape.
 */
export function RemoveTaskButton({
  taskId,
  taskName,
  warning,
}: {
  taskId: string;
  taskName: string;
  warning: string;
}) {
  const uid = useId();
  const dialogRef = useRef<HTMLDialogElement>(null);
  const { state, isPending, onSubmit, formRef } = useConsoleForm(deleteTaskAction);
  return (
    <>
      <button type="button" className={BUTTON_DANGER} onClick={() => dialogRef.current?.showModal()}>
        Remove Task
      </button>
      <dialog
        ref={dialogRef}
        aria-labelledby={`${uid}-title`}
        aria-describedby={`${uid}-warning`}
        className="m-auto w-full max-w-lg rounded-lg border border-slate-300 p-0 shadow-xl backdrop:bg-slate-900/50"
      >
        <form ref={formRef} onSubmit={onSubmit} className="space-y-4 p-6">
          <input type="hidden" name="id" value={taskId} />
          <input type="hidden" name="confirm" value="yes" />
          <h2 id={`${uid}-title`} className="text-lg font-semibold text-slate-900">
            Remove the task “{taskName}”?
          </h2>
          <p id={`${uid}-warning`} className="text-slate-800">
            {warning}
          </p>
          <FormMessage status={state.status} message={state.message} />
          <div className="flex flex-wrap justify-end gap-2">
            <button type="button" className={BUTTON_SECONDARY} onClick={() => dialogRef.current?.close()}>
              Cancel
            </button>
            <button type="submit" className={BUTTON_DANGER} disabled={isPending}>
              {isPending ? "Removing…" : "OK"}
            </button>
          </div>
        </form>
      </dialog>
    </>
  );
}
