"use client";

import type { DataType } from "@coffer/db/schema";
import { useActionState, useEffect, useRef } from "react";
import { applyPolicyAction, previewPolicyAction } from "../actions";
import { IDLE } from "../lib/form-state";

type TRule = { dataType: DataType; label: string; syncEnabled: boolean; retentionDays: number };

/**
 * The Default policy's form (seed 000: only the Default policy is editable). Save asks the server what
 * the change would do and shows it (what will be deleted, what holds keep); Confirm applies it. Values
 * are checked by the server only, so its sentence shows next to the field and nothing is changed.
 */
export function PolicyForm({
  rules,
  updatedAt,
  bounds,
}: {
  rules: TRule[];
  updatedAt: string;
  bounds: { minDays: number; maxDays: number };
}) {
  const [preview, previewAction, isPreviewing] = useActionState(previewPolicyAction, IDLE);
  const [applied, applyAction, isApplying] = useActionState(applyPolicyAction, IDLE);
  const dialogRef = useRef<HTMLDivElement>(null);
  const confirmation = preview.status === "confirm" ? preview.confirmation : undefined;
  const isApplied = applied.status === "ok";

  useEffect(() => {
    if (confirmation && !isApplied) dialogRef.current?.focus();
  }, [confirmation, isApplied]);

  return (
    <div>
      <form action={previewAction} aria-label="Default retention policy" noValidate>
        <input type="hidden" name="expectedUpdatedAt" value={updatedAt} />
        <table className="w-full border-collapse text-left text-sm">
          <caption className="sr-only">Sync and retention per data type</caption>
          <thead>
            <tr className="border-b border-slate-300">
              <th scope="col" className="py-2 pr-4">
                Data type
              </th>
              <th scope="col" className="py-2 pr-4">
                Sync
              </th>
              <th scope="col" className="py-2 pr-4">
                Retention (days, {bounds.minDays}–{bounds.maxDays.toLocaleString("en-US")})
              </th>
            </tr>
          </thead>
          <tbody>
            {rules.map((r) => {
              const error = preview.fieldErrors?.[r.dataType] ?? applied.fieldErrors?.[r.dataType];
              return (
                <tr key={r.dataType} className="border-b border-slate-100 align-top">
                  <th scope="row" className="py-2 pr-4 font-medium">
                    {r.label}
                  </th>
                  <td className="py-2 pr-4">
                    <label className="inline-flex items-center gap-2">
                      <input type="checkbox" name={`sync-${r.dataType}`} defaultChecked={r.syncEnabled} />
                      <span>Sync {r.label.toLowerCase()}</span>
                    </label>
                  </td>
                  <td className="py-2 pr-4">
                    <label htmlFor={`days-${r.dataType}`} className="sr-only">
                      Retention days for {r.label.toLowerCase()}
                    </label>
                    <input
                      id={`days-${r.dataType}`}
                      name={`days-${r.dataType}`}
                      type="text"
                      inputMode="numeric"
                      defaultValue={String(r.retentionDays)}
                      aria-invalid={error ? true : undefined}
                      aria-describedby={error ? `days-${r.dataType}-error` : undefined}
                      className="w-32 rounded-md border border-slate-400 px-2 py-1"
                    />
                    {error ? (
                      <p id={`days-${r.dataType}-error`} className="mt-1 text-sm text-red-800">
                        {error}
                      </p>
                    ) : null}
                  </td>
                </tr>
              );
            })}
          </tbody>
        </table>
        <button
          type="submit"
          disabled={isPreviewing}
          className="mt-4 rounded-md bg-brand-700 px-4 py-2 text-sm font-semibold text-white hover:bg-brand-800 disabled:opacity-60"
        >
          Save
        </button>
        {preview.status === "error" || preview.status === "ok" ? (
          <p role={preview.status === "error" ? "alert" : "status"} className="mt-3 text-sm text-slate-900">
            {preview.message}
          </p>
        ) : null}
      </form>

      {confirmation && !isApplied ? (
        <div
          ref={dialogRef}
          tabIndex={-1}
          role="alertdialog"
          aria-labelledby="confirm-title"
          aria-describedby="confirm-lines"
          className="mt-6 rounded-md border-2 border-amber-500 bg-amber-50 p-4"
        >
          <h2 id="confirm-title" className="text-lg font-semibold text-slate-900">
            {confirmation.title}
          </h2>
          <ul id="confirm-lines" className="mt-2 list-disc space-y-1 pl-5 text-sm text-slate-900">
            {confirmation.lines.map((line) => (
              <li key={line}>{line}</li>
            ))}
          </ul>
          <form action={applyAction} className="mt-4 flex gap-3">
            <input type="hidden" name="change" value={confirmation.change} />
            <button
              type="submit"
              disabled={isApplying}
              className="rounded-md bg-red-700 px-4 py-2 text-sm font-semibold text-white hover:bg-red-800 disabled:opacity-60"
            >
              {confirmation.confirmLabel}
            </button>
          </form>
          {applied.status === "error" ? (
            <p role="alert" className="mt-3 text-sm text-red-800">
              {applied.message}
            </p>
          ) : null}
        </div>
      ) : null}
      {isApplied ? (
        <p
          role="status"
          className="mt-4 rounded-md border border-green-300 bg-green-50 p-3 text-sm text-green-900"
        >
          {applied.message}
        </p>
      ) : null}
    </div>
  );
}
