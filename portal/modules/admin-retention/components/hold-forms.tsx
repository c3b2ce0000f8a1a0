"use client";

import { useActionState } from "react";
import { lifecycleAction, placeHoldAction, releaseHoldAction } from "../actions";
import { IDLE, type TRetentionFormState } from "../lib/form-state";

const INPUT = "mt-1 w-full rounded-md border border-slate-400 px-2 py-1 text-sm";
const BUTTON =
  "rounded-md bg-brand-700 px-3 py-1.5 text-sm font-semibold text-white hover:bg-brand-800 disabled:opacity-60";

function Outcome({ state }: { state: TRetentionFormState }) {
  if (state.status !== "ok" && state.status !== "error") return null;
  return (
    <p
      role={state.status === "error" ? "alert" : "status"}
      className={`mt-2 text-sm ${state.status === "error" ? "text-red-800" : "text-green-900"}`}
    >
      {state.message}
    </p>
  );
}

function Field({
  id,
  name,
  label,
  error,
}: {
  id: string;
  name: string;
  label: string;
  error: string | undefined;
}) {
  return (
    <div>
      <label htmlFor={id} className="block text-sm font-medium text-slate-800">
        {label}
      </label>
      <input
        id={id}
        name={name}
        className={INPUT}
        aria-invalid={error ? true : undefined}
        aria-describedby={error ? `${id}-error` : undefined}
      />
      {error ? (
        <p id={`${id}-error`} className="mt-1 text-sm text-red-800">
          {error}
        </p>
      ) : null}
    </div>
  );
}

/** Place a legal hold: the mailbox (UPN, address or id) and the reason. */
export function PlaceHoldForm() {
  const [state, action, pending] = useActionState(placeHoldAction, IDLE);
  return (
    <form action={action} aria-label="Place a legal hold" className="space-y-3" noValidate>
      <Field id="hold-mailbox" name="mailbox" label="Mailbox (UPN)" error={state.fieldErrors?.mailbox} />
      <Field
        id="hold-reason"
        name="reason"
        label="Reason (matter or case)"
        error={state.fieldErrors?.reason}
      />
      <button type="submit" disabled={pending} className={BUTTON}>
        Place hold
      </button>
      <Outcome state={state} />
    </form>
  );
}

/** Release one mailbox's hold (a button per row). */
export function ReleaseHoldButton({ upn }: { upn: string }) {
  const [state, action, pending] = useActionState(releaseHoldAction, IDLE);
  return (
    <form action={action}>
      <input type="hidden" name="mailbox" value={upn} />
      <button
        type="submit"
        disabled={pending}
        className="rounded border border-slate-400 px-2 py-1 text-xs font-semibold hover:bg-slate-50"
        aria-label={`Release the hold on ${upn}`}
      >
        Release
      </button>
      <Outcome state={state} />
    </form>
  );
}

/**
 * De-provision (stop syncing the mailbox; its archive is kept and retention goes on) or re-provision it.
 * Mountable on its own, e.g. in a row of the admin users page.
 */
export function MailboxLifecycleForm({ defaultUpn = "" }: { defaultUpn?: string }) {
  const [state, action, pending] = useActionState(lifecycleAction, IDLE);
  return (
    <form
      action={action}
      aria-label="De-provision or re-provision a mailbox"
      className="space-y-3"
      noValidate
    >
      <div>
        <label htmlFor="lifecycle-mailbox" className="block text-sm font-medium text-slate-800">
          Mailbox (UPN)
        </label>
        <input
          id="lifecycle-mailbox"
          name="mailbox"
          defaultValue={defaultUpn}
          className={INPUT}
          aria-invalid={state.fieldErrors?.mailbox ? true : undefined}
        />
        {state.fieldErrors?.mailbox ? (
          <p className="mt-1 text-sm text-red-800">{state.fieldErrors.mailbox}</p>
        ) : null}
      </div>
      <Field
        id="lifecycle-reason"
        name="reason"
        label="Reason (optional)"
        error={state.fieldErrors?.reason}
      />
      <div className="flex gap-3">
        <button type="submit" name="operation" value="deprovision" disabled={pending} className={BUTTON}>
          De-provision mailbox
        </button>
        <button
          type="submit"
          name="operation"
          value="reprovision"
          disabled={pending}
          className="rounded-md border border-slate-400 px-3 py-1.5 text-sm font-semibold hover:bg-slate-50"
        >
          Re-provision mailbox
        </button>
      </div>
      <Outcome state={state} />
    </form>
  );
}
