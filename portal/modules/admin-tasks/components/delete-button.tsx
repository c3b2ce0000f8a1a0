"use client";

import { useId, useRef } from "react";
import type { TFormState } from "../lib/form-state";
import { FormMessage } from "./fields";
import { BUTTON_DANGER, BUTTON_SECONDARY } from "./ui";
import { useConsoleForm } from "./use-console-form";

/** Delete a schedule or definition after a confirmation dialog; the server refuses one still in use. */
export function DeleteButton({
  action,
  id,
  name,
  what,
}: {
  action: (prev: TFormState, form: FormData) => Promise<TFormState>;
  id: string;
  name: string;
  what: string;
}) {
  const uid = useId();
  const dialogRef = useRef<HTMLDialogElement>(null);
  const { state, isPending, onSubmit, formRef } = useConsoleForm(action);
  return (
    <>
      <button type="button" className={BUTTON_SECONDARY} onClick={() => dialogRef.current?.showModal()}>
        Delete {what}
      </button>
      <dialog
        ref={dialogRef}
        aria-labelledby={`${uid}-title`}
        className="m-auto w-full max-w-md rounded-lg border border-slate-300 p-0 shadow-xl backdrop:bg-slate-900/50"
      >
        <form ref={formRef} onSubmit={onSubmit} className="space-y-4 p-6">
          <input type="hidden" name="id" value={id} />
          <input type="hidden" name="name" value={name} />
          <h2 id={`${uid}-title`} className="text-lg font-semibold text-slate-900">
            Delete the {what} “{name}”?
          </h2>
          <FormMessage status={state.status} message={state.message} />
          <div className="flex flex-wrap justify-end gap-2">
            <button type="button" className={BUTTON_SECONDARY} onClick={() => dialogRef.current?.close()}>
              Cancel
            </button>
            <button type="submit" className={BUTTON_DANGER} disabled={isPending}>
              {isPending ? "Deleting…" : "Delete"}
            </button>
          </div>
        </form>
      </dialog>
    </>
  );
}
