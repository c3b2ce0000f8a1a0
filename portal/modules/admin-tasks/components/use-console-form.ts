"use client";

import { type FormEvent, startTransition, useActionState, useEffect, useRef } from "react";
import { IDLE_STATE, type TFormState } from "../lib/form-state";

/**
 * A console form bound to a server action. Submits through the action without React's automatic form
 * reset (which would wipe what the admin typed when the server refuses it), and after a refusal moves the
 * focus to the first field with a problem (or the form's message), so keyboard and screen reader users
 * land on the reason.
 */
export function useConsoleForm<T>(action: (prev: TFormState<T>, form: FormData) => Promise<TFormState<T>>) {
  const [state, dispatch, isPending] = useActionState(action, IDLE_STATE as TFormState<T>);
  const formRef = useRef<HTMLFormElement>(null);

  useEffect(() => {
    if (state.status !== "error" || !formRef.current) return;
    const target =
      formRef.current.querySelector<HTMLElement>("[aria-invalid=true]") ??
      formRef.current.querySelector<HTMLElement>("[role=alert]");
    if (target) {
      if (!target.hasAttribute("tabindex") && !/^(INPUT|SELECT|TEXTAREA|BUTTON)$/.test(target.tagName)) {
        target.setAttribute("tabindex", "-1");
      }
      target.focus();
    }
  }, [state]);

  const onSubmit = (event: FormEvent<HTMLFormElement>) => {
    event.preventDefault();
    const submitter = (event.nativeEvent as SubmitEvent).submitter;
    const form = new FormData(event.currentTarget, submitter);
    startTransition(() => dispatch(form));
  };

  return { state, isPending, onSubmit, formRef, formAction: dispatch };
}
