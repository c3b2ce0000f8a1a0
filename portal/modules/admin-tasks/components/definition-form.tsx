"use client";

import type { TaskType } from "@coffer/db/schema";
import { useEffect, useId, useRef, useState } from "react";
import { saveDefinitionAction, type TCreatedDefinition } from "../actions";
import { errorsFor, type TFieldErrors } from "../lib/form-state";
import { FieldErrors, FormMessage, SelectField, TextAreaField, TextField } from "./fields";
import { BUTTON_PRIMARY, BUTTON_SECONDARY, HINT, LABEL, UnavailableTag } from "./ui";
import { useConsoleForm } from "./use-console-form";

export type TTypeOption = {
  type: TaskType;
  label: string;
  description: string;
  isAvailable: boolean;
  defaultSettings: Record<string, unknown>;
};

export type TDefinitionFormValues = {
  id?: string;
  type: TaskType;
  name: string;
  settings: Record<string, unknown>;
};

const DATA_TYPES = [
  ["mail", "Mail"],
  ["calendar", "Calendar"],
  ["contacts", "Contacts"],
  ["tasks", "Tasks"],
  ["notes", "Notes"],
] as const;

const STORAGE_ACTIONS = [
  { value: "attachment_stub", label: "Attachment stub" },
  { value: "attachment_stub_universal", label: "Attachment stub with universal access" },
  { value: "full_stub", label: "Full stub" },
  { value: "delete", label: "Delete" },
];

const asString = (v: unknown, fallback = "") =>
  typeof v === "string" || typeof v === "number" ? String(v) : fallback;

function Checkbox({
  id,
  name,
  value,
  label,
  defaultChecked,
}: {
  id: string;
  name: string;
  value?: string;
  label: string;
  defaultChecked: boolean;
}) {
  return (
    <div className="flex items-center gap-2">
      <input
        id={id}
        type="checkbox"
        name={name}
        value={value ?? "on"}
        defaultChecked={defaultChecked}
        className="h-4 w-4"
      />
      <label htmlFor={id} className="text-sm text-slate-800">
        {label}
      </label>
    </div>
  );
}

/** Which folders: all, only these, or all but these (one path per line). */
function FolderSelection({
  uid,
  value,
  errors,
}: {
  uid: string;
  value: unknown;
  errors: TFieldErrors | undefined;
}) {
  const initial = (value ?? { mode: "all" }) as { mode?: string; paths?: string[] };
  const [mode, setMode] = useState(initial.mode ?? "all");
  const messages = errorsFor(errors, "settings.folders");
  return (
    <fieldset aria-describedby={messages.length ? `${uid}-folders-error` : undefined}>
      <legend className={LABEL}>Folders</legend>
      <div className="mt-2 space-y-1">
        {(
          [
            ["all", "All folders"],
            ["include", "Only these folders (and their subfolders)"],
            ["exclude", "All folders except these"],
          ] as const
        ).map(([v, label]) => (
          <div key={v} className="flex items-center gap-2">
            <input
              id={`${uid}-folders-${v}`}
              type="radio"
              name="foldersMode"
              value={v}
              checked={mode === v}
              onChange={() => setMode(v)}
              className="h-4 w-4"
            />
            <label htmlFor={`${uid}-folders-${v}`} className="text-sm text-slate-800">
              {label}
            </label>
          </div>
        ))}
      </div>
      {mode !== "all" ? (
        <div className="mt-3">
          <TextAreaField
            id={`${uid}-paths`}
            field="settings.folders.paths"
            name="folderPaths"
            label="Folder paths, one per line"
            hint="For example Inbox or Inbox/Projects."
            defaultValue={(initial.paths ?? []).join("\n")}
            errors={undefined}
          />
        </div>
      ) : null}
      <FieldErrors id={`${uid}-folders-error`} messages={messages} />
    </fieldset>
  );
}

/** The settings of one task type, named as lib/parse-forms.ts reads them. */
function SettingsFields({
  uid,
  type,
  settings,
  errors,
}: {
  uid: string;
  type: TaskType;
  settings: Record<string, unknown>;
  errors: TFieldErrors | undefined;
}) {
  switch (type) {
    case "folder_replication": {
      const chosen = Array.isArray(settings.dataTypes) ? (settings.dataTypes as string[]) : ["mail"];
      const dtErrors = errorsFor(errors, "settings.dataTypes");
      return (
        <>
          <fieldset aria-describedby={dtErrors.length ? `${uid}-dt-error` : `${uid}-dt-hint`}>
            <legend className={LABEL}>Data types</legend>
            <p id={`${uid}-dt-hint`} className={HINT}>
              This version replicates mail. Calendar replication has its own task type; contacts, tasks and
              notes replication are not available yet.
            </p>
            <div className="mt-2 flex flex-wrap gap-x-6 gap-y-2">
              {DATA_TYPES.map(([v, label]) => (
                <Checkbox
                  key={v}
                  id={`${uid}-dt-${v}`}
                  name="dataTypes"
                  value={v}
                  label={v === "mail" ? label : `${label} (not available yet)`}
                  defaultChecked={chosen.includes(v)}
                />
              ))}
            </div>
            <FieldErrors id={`${uid}-dt-error`} messages={dtErrors} />
          </fieldset>
          <FolderSelection uid={uid} value={settings.folders} errors={errors} />
          <Checkbox
            id={`${uid}-hidden`}
            name="includeHidden"
            label="Include hidden folders"
            defaultChecked={settings.includeHidden === true}
          />
        </>
      );
    }
    case "calendar_replication":
      return (
        <div className="flex flex-wrap gap-4">
          <TextField
            id={`${uid}-past`}
            field="settings.pastDays"
            name="pastDays"
            label="Days in the past"
            type="number"
            inputMode="numeric"
            defaultValue={asString(settings.pastDays)}
            errors={errors}
          />
          <TextField
            id={`${uid}-future`}
            field="settings.futureDays"
            name="futureDays"
            label="Days in the future"
            type="number"
            inputMode="numeric"
            defaultValue={asString(settings.futureDays)}
            errors={errors}
          />
        </div>
      );
    case "storage_management":
      return (
        <>
          <SelectField
            id={`${uid}-action`}
            field="settings.action"
            name="action"
            label="Action"
            defaultValue={asString(settings.action, "attachment_stub")}
            options={STORAGE_ACTIONS}
            errors={errors}
          />
          <div className="flex flex-wrap gap-4">
            <TextField
              id={`${uid}-older`}
              field="settings.olderThanDays"
              name="olderThanDays"
              label="Messages older than (days)"
              type="number"
              inputMode="numeric"
              defaultValue={asString(settings.olderThanDays)}
              errors={errors}
            />
            <TextField
              id={`${uid}-size`}
              field="settings.minSizeKb"
              name="minSizeKb"
              label="Minimum size (KB)"
              type="number"
              inputMode="numeric"
              defaultValue={asString(settings.minSizeKb)}
              errors={errors}
            />
          </div>
          <FolderSelection uid={uid} value={settings.folders} errors={errors} />
        </>
      );
    case "managed_folders": {
      const folders = Array.isArray(settings.folders)
        ? (settings.folders as Array<{ name?: string; retentionDays?: number }>)
        : [];
      return (
        <TextAreaField
          id={`${uid}-managed`}
          field="settings.managedFolders"
          name="managedFolders"
          label="Managed folders, one per line: name; retention in days"
          hint="For example: Projects; 365"
          defaultValue={folders.map((f) => `${f.name ?? ""}; ${f.retentionDays ?? ""}`).join("\n")}
          errors={errors}
        />
      );
    }
    case "permissions_sync":
      return (
        <fieldset>
          <legend className={LABEL}>Permissions to synchronise</legend>
          <div className="mt-2 space-y-1">
            <Checkbox
              id={`${uid}-fa`}
              name="fullAccess"
              label="Full Access (Exchange)"
              defaultChecked={settings.fullAccess !== false}
            />
            <Checkbox
              id={`${uid}-sa`}
              name="sendAs"
              label="Send As (Exchange)"
              defaultChecked={settings.sendAs !== false}
            />
            <Checkbox
              id={`${uid}-cal`}
              name="calendar"
              label="Calendar sharing (Graph)"
              defaultChecked={settings.calendar !== false}
            />
          </div>
        </fieldset>
      );
  }
}

/**
 * Create or edit a definition: the settings of one task type, versioned by the API (every save is a new
 * version; running executions keep theirs). A new definition's type can be chosen unless `isTypeFixed`.
 */
export function DefinitionForm({
  initial,
  types,
  isTypeFixed,
  inline,
  onCreated,
  onCancel,
}: {
  initial: TDefinitionFormValues;
  types: TTypeOption[];
  isTypeFixed?: boolean;
  inline?: boolean;
  onCreated?: (definition: TCreatedDefinition) => void;
  onCancel?: () => void;
}) {
  const uid = useId();
  const { state, isPending, onSubmit, formRef } = useConsoleForm(saveDefinitionAction);
  const [type, setType] = useState<TaskType>(initial.type);
  const info = types.find((t) => t.type === type);
  const settings =
    type === initial.type && initial.id ? initial.settings : (info?.defaultSettings ?? initial.settings);
  const errors = state.fieldErrors;
  const reported = useRef<unknown>(null);
  useEffect(() => {
    if (state.status === "ok" && state.data && reported.current !== state) {
      reported.current = state;
      onCreated?.(state.data);
    }
  }, [state, onCreated]);

  return (
    <form
      ref={formRef}
      onSubmit={onSubmit}
      noValidate
      className="space-y-5"
      aria-label={inline ? "New definition" : undefined}
    >
      {inline ? <input type="hidden" name="mode" value="inline" /> : null}
      {initial.id ? <input type="hidden" name="id" value={initial.id} /> : null}
      <FormMessage status={state.status} message={state.message} />
      {isTypeFixed || initial.id ? (
        <div>
          <input type="hidden" name="type" value={type} />
          <p className={LABEL}>Task type</p>
          <p className="mt-1 flex flex-wrap items-center gap-2 text-slate-900">
            {info?.label ?? type} {info && !info.isAvailable ? <UnavailableTag /> : null}
          </p>
        </div>
      ) : (
        <SelectField
          id={`${uid}-type`}
          field="type"
          name="type"
          label="Task type"
          value={type}
          onChange={(v) => setType(v as TaskType)}
          options={types.map((t) => ({
            value: t.type,
            label: t.isAvailable ? t.label : `${t.label} (not available in this version)`,
          }))}
          errors={errors}
        />
      )}
      {info && !info.isAvailable ? (
        <p className="rounded-md border border-amber-300 bg-amber-50 px-3 py-2 text-sm text-amber-900">
          {info.label} is not available in this version of Coffer: its definitions can be prepared, but a task
          using one runs nothing and ends with a warning.
        </p>
      ) : null}
      <TextField
        id={`${uid}-name`}
        field="name"
        name="name"
        label="Name"
        defaultValue={initial.name}
        errors={errors}
        isRequired
      />
      <fieldset className="space-y-4 rounded-md border border-slate-200 p-4" key={type}>
        <legend className="px-1 text-sm font-semibold text-slate-800">Settings</legend>
        <SettingsFields uid={uid} type={type} settings={settings} errors={errors} />
        <FieldErrors id={`${uid}-settings-error`} messages={errors?.settings ?? []} />
      </fieldset>
      <div className="flex flex-wrap gap-2">
        <button type="submit" className={BUTTON_PRIMARY} disabled={isPending}>
          {isPending ? "Saving…" : inline ? "Create definition" : "Save and Exit"}
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
