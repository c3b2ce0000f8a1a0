"use client";

import { useEffect, useId, useRef, useState } from "react";
import { saveScheduleAction, type TCreatedSchedule } from "../actions";
import { errorsFor } from "../lib/form-state";
import { FieldErrors, FormMessage, TextField } from "./fields";
import { BUTTON_PRIMARY, BUTTON_SECONDARY, HINT, LABEL } from "./ui";
import { useConsoleForm } from "./use-console-form";

export type TScheduleFormValues = {
  id?: string;
  name: string;
  kind: "cron" | "interval";
  cron: string;
  intervalMinutes: string;
  timeZone: string;
  window: { start: string; end: string } | null;
};

export const NEW_SCHEDULE: TScheduleFormValues = {
  name: "",
  kind: "interval",
  cron: "",
  intervalMinutes: "240",
  timeZone: "UTC",
  window: null,
};

// The browser's list of IANA zones, for suggestions only (the server checks the zone).
function timeZones(): string[] {
  try {
    return Intl.supportedValuesOf("timeZone");
  } catch {
    return ["UTC"];
  }
}

/**
 * Create or edit a schedule: a cron expression or an interval, a time zone, and optionally a daily window.
 * `inline` is the wizard's "Create new": it reports the saved schedule instead of leaving the page.
 */
export function ScheduleForm({
  initial,
  inline,
  onCreated,
  onCancel,
}: {
  initial: TScheduleFormValues;
  inline?: boolean;
  onCreated?: (schedule: TCreatedSchedule) => void;
  onCancel?: () => void;
}) {
  const uid = useId();
  const id = (name: string) => `${uid}-${name}`;
  const { state, isPending, onSubmit, formRef } = useConsoleForm(saveScheduleAction);
  const [kind, setKind] = useState(initial.kind);
  const [hasWindow, setHasWindow] = useState(initial.window !== null);
  const [zones, setZones] = useState<string[]>([]);
  const errors = state.fieldErrors;

  useEffect(() => setZones(timeZones()), []);
  // Report each saved schedule once, however often the parent re-renders.
  const reported = useRef<unknown>(null);
  useEffect(() => {
    if (state.status === "ok" && state.data && reported.current !== state) {
      reported.current = state;
      onCreated?.(state.data);
    }
  }, [state, onCreated]);

  const kindErrors = errorsFor(errors, "kind");
  return (
    <form
      ref={formRef}
      onSubmit={onSubmit}
      noValidate
      className="space-y-5"
      aria-label={inline ? "New schedule" : undefined}
    >
      {inline ? <input type="hidden" name="mode" value="inline" /> : null}
      {initial.id ? <input type="hidden" name="id" value={initial.id} /> : null}
      <FormMessage status={state.status} message={state.message} />
      <TextField
        id={id("name")}
        field="name"
        name="name"
        label="Name"
        defaultValue={initial.name}
        errors={errors}
        isRequired
      />
      <fieldset aria-describedby={kindErrors.length ? id("kind-error") : undefined}>
        <legend className={LABEL}>Repeat</legend>
        <div className="mt-2 flex flex-wrap gap-x-6 gap-y-2">
          {(
            [
              ["interval", "Every few minutes or hours (interval)"],
              ["cron", "On a cron expression"],
            ] as const
          ).map(([value, label]) => (
            <div key={value} className="flex items-center gap-2">
              <input
                id={id(`kind-${value}`)}
                type="radio"
                name="kind"
                value={value}
                checked={kind === value}
                onChange={() => setKind(value)}
                className="h-4 w-4"
              />
              <label htmlFor={id(`kind-${value}`)} className="text-sm text-slate-800">
                {label}
              </label>
            </div>
          ))}
        </div>
        <FieldErrors id={id("kind-error")} messages={kindErrors} />
      </fieldset>
      {kind === "cron" ? (
        <TextField
          id={id("cron")}
          field="cron"
          name="cron"
          label="Cron expression"
          hint={
            <>
              Five fields: minute, hour, day of month, month, day of week. For example{" "}
              <code className="font-mono">0 */4 * * *</code> (every four hours) or{" "}
              <code className="font-mono">30 1 * * 1-5</code> (01:30 on weekdays).
            </>
          }
          defaultValue={initial.cron}
          errors={errors}
          isRequired
          className="max-w-md"
        />
      ) : (
        <TextField
          id={id("interval")}
          field="intervalMinutes"
          name="intervalMinutes"
          label="Interval (minutes)"
          hint="From 1 to 10080 (a week). 240 runs every four hours."
          type="number"
          inputMode="numeric"
          defaultValue={initial.intervalMinutes}
          errors={errors}
          isRequired
          className="max-w-xs"
        />
      )}
      <TextField
        id={id("tz")}
        field="timeZone"
        name="timeZone"
        label="Time zone"
        hint="An IANA time zone such as Europe/London; cron times and the window are read in it."
        defaultValue={initial.timeZone}
        errors={errors}
        list={id("zones")}
        className="max-w-md"
      />
      <datalist id={id("zones")}>
        {zones.map((z) => (
          <option key={z} value={z} />
        ))}
      </datalist>
      <fieldset className="rounded-md border border-slate-200 p-4">
        <legend className="px-1 text-sm font-medium text-slate-800">Window</legend>
        <div className="flex items-center gap-2">
          <input
            id={id("has-window")}
            type="checkbox"
            name="hasWindow"
            checked={hasWindow}
            onChange={(e) => setHasWindow(e.target.checked)}
            className="h-4 w-4"
          />
          <label htmlFor={id("has-window")} className="text-sm text-slate-800">
            Only start runs inside a daily time window
          </label>
        </div>
        <p className={HINT}>A window may cross midnight, for example 22:00 to 06:00.</p>
        {hasWindow ? (
          <div className="mt-3 flex flex-wrap gap-4">
            <TextField
              id={id("window-start")}
              field="window.start"
              name="windowStart"
              label="From (HH:MM)"
              type="time"
              defaultValue={initial.window?.start ?? "22:00"}
              errors={errors}
            />
            <TextField
              id={id("window-end")}
              field="window.end"
              name="windowEnd"
              label="Until (HH:MM)"
              type="time"
              defaultValue={initial.window?.end ?? "06:00"}
              errors={errors}
            />
          </div>
        ) : null}
        <FieldErrors id={id("window-error")} messages={errors?.window ?? []} />
      </fieldset>
      <div className="flex flex-wrap gap-2">
        <button type="submit" className={BUTTON_PRIMARY} disabled={isPending}>
          {isPending ? "Saving…" : inline ? "Create schedule" : "Save and Exit"}
        </button>
        {onCancel ? (
          <button type="button" className={BUTTON_SECONDARY} onClick={onCancel}>
            Cancel
          </button>
        ) : null}
      </div>
    </form>
  );
}
