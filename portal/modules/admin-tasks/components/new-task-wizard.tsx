"use client";

import type { TaskType } from "@coffer/db/schema";
import type { TTaskInput } from "@coffer/worker/tasks/index";
import { type FormEvent, useCallback, useEffect, useId, useRef, useState, useTransition } from "react";
import { createTaskAction, type TCreatedDefinition, type TCreatedSchedule } from "../actions";
import { errorsFor, type TFieldErrors } from "../lib/form-state";
import { DefinitionForm, type TTypeOption } from "./definition-form";
import { describedBy, FieldErrors, FormMessage, SelectField, TextAreaField, TextField } from "./fields";
import { GroupLookup, type TGroupChoice } from "./group-lookup";
import { NEW_SCHEDULE, ScheduleForm } from "./schedule-form";
import { BUTTON_PRIMARY, BUTTON_SECONDARY, HINT, LABEL, UnavailableTag } from "./ui";

export type TWizardSite = { id: string; name: string; isOnline: boolean; lastHeartbeat: string };
export type TWizardSchedule = { id: string; name: string; description: string };
export type TWizardDefinition = { id: string; name: string; type: TaskType; version: number };

type TTargetMode = "group_lookup" | "group_dn" | "group_email" | "mailbox_list" | "all_licensed";

const TARGET_MODES: Array<{ mode: TTargetMode; label: string; hint: string }> = [
  {
    mode: "group_lookup",
    label: "Look up a group in the directory",
    hint: "Search Entra ID (synchronised from Active Directory or created in Microsoft 365) by the group's name.",
  },
  {
    mode: "group_dn",
    label: "Enter a group's DN manually",
    hint: "The full distinguished name of a group synchronised from Active Directory.",
  },
  {
    mode: "group_email",
    label: "Enter a group e-mail address",
    hint: "A Microsoft 365 group, distribution list or mail-enabled security group; members are resolved through Microsoft 365.",
  },
  {
    mode: "mailbox_list",
    label: "Enter mailbox addresses",
    hint: "One mailbox, or several separated by ; — useful for a small group of mailboxes.",
  },
  { mode: "all_licensed", label: "All licensed mailboxes", hint: "Every mailbox with a license." },
];

const STEPS = ["Site", "Schedule", "Task type", "Definition", "Group", "Name and save"] as const;

/** Which step shows the API's problem with a field. */
function stepOfField(field: string): number {
  if (field === "siteId") return 0;
  if (field === "scheduleId") return 1;
  if (field === "type") return 2;
  if (field === "definitionId") return 3;
  if (field === "target" || field.startsWith("target.")) return 4;
  return 5;
}

type TValues = {
  siteId: string;
  scheduleId: string;
  type: TaskType | "";
  definitionId: string;
  targetMode: TTargetMode | "";
  group: TGroupChoice | null;
  dn: string;
  groupEmail: string;
  addresses: string;
  name: string;
};

function targetOf(v: TValues): TTaskInput["target"] {
  switch (v.targetMode) {
    case "group_lookup":
      return { kind: "group_lookup", groupId: v.group?.id ?? "" };
    case "group_dn":
      return { kind: "group_dn", dn: v.dn };
    case "group_email":
      return { kind: "group_email", address: v.groupEmail };
    case "mailbox_list":
      return { kind: "mailbox_list", addresses: v.addresses };
    case "all_licensed":
      return { kind: "all_licensed" };
    default:
      // No choice made: the API answers "Choose the target …" on the Group step.
      return { kind: "" } as unknown as TTaskInput["target"];
  }
}

/**
 * The New Exchange Task wizard (seed 004 "Creating Exchange Tasks"): site → schedule (or create one) →
 * type → definition of that type (or create one) → group → name, then Save and Exit. Every step is a small
 * form, so Enter moves on and the keyboard alone is enough; the focus moves to each step's heading. The
 * server checks everything when saving (nothing is saved if anything is wrong) and the wizard returns to
 * the first step with a problem, with the reason next to the field.
 */
export function NewTaskWizard({
  sites,
  schedules: initialSchedules,
  definitions: initialDefinitions,
  types,
  initialType,
}: {
  sites: TWizardSite[];
  schedules: TWizardSchedule[];
  definitions: TWizardDefinition[];
  types: TTypeOption[];
  initialType?: TaskType;
}) {
  const uid = useId();
  const [step, setStep] = useState(0);
  const [schedules, setSchedules] = useState(initialSchedules);
  const [definitions, setDefinitions] = useState(initialDefinitions);
  const [isCreatingSchedule, setIsCreatingSchedule] = useState(false);
  const [isCreatingDefinition, setIsCreatingDefinition] = useState(false);
  const [errors, setErrors] = useState<TFieldErrors>({});
  const [message, setMessage] = useState<string>();
  const [isSaving, startSaving] = useTransition();
  const [values, setValues] = useState<TValues>({
    siteId: sites.length === 1 ? sites[0]!.id : "",
    scheduleId: "",
    type: initialType ?? "",
    definitionId: "",
    targetMode: "",
    group: null,
    dn: "",
    groupEmail: "",
    addresses: "",
    name: "",
  });
  const set = <K extends keyof TValues>(key: K, value: TValues[K]) =>
    setValues((v) => ({ ...v, [key]: value }));
  const headingRef = useRef<HTMLHeadingElement>(null);
  const isFirstRender = useRef(true);

  // biome-ignore lint/correctness/useExhaustiveDependencies: the effect runs because the step changed
  useEffect(() => {
    // Focus follows the step (not on the first render: the page heading comes first).
    if (isFirstRender.current) {
      isFirstRender.current = false;
      return;
    }
    headingRef.current?.focus();
  }, [step]);

  const typeInfo = types.find((t) => t.type === values.type);
  const definitionsOfType = definitions.filter((d) => d.type === values.type);

  /** A choice the step needs before moving on (the server checks everything again on save). */
  const missingChoice = (): { field: string; message: string } | null => {
    if (step === 0 && !values.siteId)
      return { field: "siteId", message: "Choose the Synchronization Engine Site." };
    if (step === 1 && !values.scheduleId)
      return { field: "scheduleId", message: "Choose a schedule, or create one." };
    if (step === 2 && !values.type) return { field: "type", message: "Choose the task type." };
    if (step === 3 && !values.definitionId)
      return { field: "definitionId", message: "Choose a definition, or create one." };
    if (step === 4 && !values.targetMode)
      return { field: "target", message: "Choose how to select the mailboxes." };
    return null;
  };

  const next = (event: FormEvent) => {
    event.preventDefault();
    const missing = missingChoice();
    if (missing) {
      setErrors({ [missing.field]: [missing.message] });
      return;
    }
    setErrors({});
    setMessage(undefined);
    setStep((s) => Math.min(s + 1, STEPS.length - 1));
  };
  const back = () => {
    setErrors({});
    setMessage(undefined);
    setStep((s) => Math.max(s - 1, 0));
  };

  const save = (event: FormEvent) => {
    event.preventDefault();
    const input: TTaskInput = {
      name: values.name,
      siteId: values.siteId,
      scheduleId: values.scheduleId,
      definitionId: values.definitionId,
      target: targetOf(values),
      ...(values.type ? { type: values.type } : {}),
    };
    startSaving(async () => {
      // On success the action redirects to the task list; it only returns when the task was refused.
      const result = await createTaskAction(input);
      if (result.status !== "error") return;
      const fieldErrors = result.fieldErrors ?? {};
      setErrors(fieldErrors);
      setMessage(result.message);
      const steps = Object.keys(fieldErrors).map(stepOfField);
      setStep(steps.length ? Math.min(...steps) : STEPS.length - 1);
      if (steps.length && Math.min(...steps) === step) headingRef.current?.focus();
    });
  };

  const onScheduleCreated = useCallback((s: TCreatedSchedule) => {
    setSchedules((list) => [...list, s]);
    setValues((v) => ({ ...v, scheduleId: s.id }));
    setIsCreatingSchedule(false);
  }, []);
  const onDefinitionCreated = useCallback((d: TCreatedDefinition) => {
    setDefinitions((list) => [...list, d]);
    setValues((v) => ({ ...v, definitionId: d.id }));
    setIsCreatingDefinition(false);
  }, []);

  const stepErrors = (field: string) => errorsFor(errors, field);
  const nav = (isLast = false) => (
    <div className="mt-6 flex flex-wrap gap-2">
      {step > 0 ? (
        <button type="button" className={BUTTON_SECONDARY} onClick={back}>
          Back
        </button>
      ) : null}
      <button type="submit" className={BUTTON_PRIMARY} disabled={isSaving}>
        {isLast ? (isSaving ? "Saving…" : "Save and Exit") : "Next"}
      </button>
    </div>
  );

  const siteName = sites.find((s) => s.id === values.siteId)?.name;
  const scheduleName = schedules.find((s) => s.id === values.scheduleId)?.name;
  const definitionName = definitions.find((d) => d.id === values.definitionId)?.name;
  const targetSummary =
    values.targetMode === "group_lookup"
      ? `Group ${values.group?.label ?? "(none chosen)"}`
      : values.targetMode === "group_dn"
        ? `Group DN ${values.dn || "(empty)"}`
        : values.targetMode === "group_email"
          ? `Address ${values.groupEmail || "(empty)"}`
          : values.targetMode === "mailbox_list"
            ? `Mailboxes ${values.addresses || "(empty)"}`
            : values.targetMode === "all_licensed"
              ? "All licensed mailboxes"
              : "(not chosen)";

  return (
    <div className="grid gap-8 lg:grid-cols-[14rem_1fr]">
      <ol aria-label="Steps of the wizard" className="space-y-1 text-sm">
        {STEPS.map((label, i) => (
          <li
            key={label}
            aria-current={i === step ? "step" : undefined}
            className={`rounded-md px-3 py-2 ${
              i === step
                ? "bg-brand-50 font-semibold text-brand-800"
                : i < step
                  ? "text-slate-800"
                  : "text-slate-600"
            }`}
          >
            <span className="mr-2 tabular-nums">{i + 1}.</span>
            {label}
            {i < step ? <span className="sr-only"> (done)</span> : null}
          </li>
        ))}
      </ol>

      <section aria-labelledby={`${uid}-step-heading`} className="min-w-0">
        <h2
          id={`${uid}-step-heading`}
          ref={headingRef}
          tabIndex={-1}
          className="text-xl font-semibold text-slate-900 focus:outline-none"
        >
          Step {step + 1} of {STEPS.length}: {STEPS[step]}
        </h2>
        {message ? (
          <div className="mt-4">
            <FormMessage status="error" message={message} />
          </div>
        ) : null}

        {step === 0 ? (
          <form onSubmit={next} noValidate className="mt-4">
            {sites.length === 0 ? (
              <p className="rounded-md border border-amber-300 bg-amber-50 p-4 text-amber-900">
                No Synchronization Engine Site has registered yet. Start a worker (
                <code>npx coffer worker</code>
                ); its site appears here.
              </p>
            ) : (
              <fieldset
                aria-describedby={describedBy(stepErrors("siteId").length > 0 && `${uid}-site-error`)}
              >
                <legend className={LABEL}>On which Synchronization Engine Site should the task run?</legend>
                <div className="mt-2 space-y-2">
                  {sites.map((s) => (
                    <div key={s.id} className="flex items-start gap-2">
                      <input
                        id={`${uid}-site-${s.id}`}
                        type="radio"
                        name="siteId"
                        value={s.id}
                        checked={values.siteId === s.id}
                        onChange={() => set("siteId", s.id)}
                        className="mt-1 h-4 w-4"
                      />
                      <label htmlFor={`${uid}-site-${s.id}`} className="text-sm text-slate-800">
                        <span className="font-medium text-slate-900">{s.name}</span>{" "}
                        <span className="text-slate-600">
                          ({s.isOnline ? "online" : "offline"}, last heartbeat {s.lastHeartbeat})
                        </span>
                      </label>
                    </div>
                  ))}
                </div>
                <FieldErrors id={`${uid}-site-error`} messages={stepErrors("siteId")} />
              </fieldset>
            )}
            {nav()}
          </form>
        ) : null}

        {step === 1 ? (
          <div className="mt-4 space-y-6">
            <form onSubmit={next} noValidate>
              <SelectField
                id={`${uid}-schedule`}
                field="scheduleId"
                name="scheduleId"
                label="Schedule: when and how often should the task run?"
                value={values.scheduleId}
                onChange={(v) => set("scheduleId", v)}
                placeholder="Choose a schedule"
                options={schedules.map((s) => ({ value: s.id, label: `${s.name} — ${s.description}` }))}
                errors={errors}
              />
              {!isCreatingSchedule ? (
                <button
                  type="button"
                  className={`${BUTTON_SECONDARY} mt-3`}
                  onClick={() => setIsCreatingSchedule(true)}
                >
                  Create new schedule
                </button>
              ) : null}
              {nav()}
            </form>
            {isCreatingSchedule ? (
              <section
                aria-labelledby={`${uid}-new-schedule`}
                className="rounded-md border border-slate-300 p-4"
              >
                <h3 id={`${uid}-new-schedule`} className="mb-3 font-semibold text-slate-900">
                  New schedule
                </h3>
                <ScheduleForm
                  initial={NEW_SCHEDULE}
                  inline
                  onCreated={onScheduleCreated}
                  onCancel={() => setIsCreatingSchedule(false)}
                />
              </section>
            ) : null}
          </div>
        ) : null}

        {step === 2 ? (
          <form onSubmit={next} noValidate className="mt-4">
            <fieldset aria-describedby={describedBy(stepErrors("type").length > 0 && `${uid}-type-error`)}>
              <legend className={LABEL}>Which feature should the task run?</legend>
              <div className="mt-2 space-y-3">
                {types.map((t) => (
                  <div key={t.type} className="flex items-start gap-2">
                    <input
                      id={`${uid}-type-${t.type}`}
                      type="radio"
                      name="type"
                      value={t.type}
                      checked={values.type === t.type}
                      onChange={() => setValues((v) => ({ ...v, type: t.type, definitionId: "" }))}
                      aria-describedby={`${uid}-type-${t.type}-desc`}
                      className="mt-1 h-4 w-4"
                    />
                    <div>
                      <label
                        htmlFor={`${uid}-type-${t.type}`}
                        className="flex flex-wrap items-center gap-2 text-sm font-medium text-slate-900"
                      >
                        {t.label} {!t.isAvailable ? <UnavailableTag /> : null}
                      </label>
                      <p id={`${uid}-type-${t.type}-desc`} className="text-sm text-slate-600">
                        {t.description}
                        {!t.isAvailable
                          ? " A task of this type can be saved, but its runs do nothing and end with a warning."
                          : ""}
                      </p>
                    </div>
                  </div>
                ))}
              </div>
              <FieldErrors id={`${uid}-type-error`} messages={stepErrors("type")} />
            </fieldset>
            {nav()}
          </form>
        ) : null}

        {step === 3 ? (
          <div className="mt-4 space-y-6">
            <form onSubmit={next} noValidate>
              <SelectField
                id={`${uid}-definition`}
                field="definitionId"
                name="definitionId"
                label={`${typeInfo?.label ?? "Task"} definition: the settings the task applies`}
                value={values.definitionId}
                onChange={(v) => set("definitionId", v)}
                placeholder={
                  definitionsOfType.length ? "Choose a definition" : "No definition of this type yet"
                }
                options={definitionsOfType.map((d) => ({
                  value: d.id,
                  label: `${d.name} (version ${d.version})`,
                }))}
                errors={errors}
              />
              {!isCreatingDefinition ? (
                <button
                  type="button"
                  className={`${BUTTON_SECONDARY} mt-3`}
                  onClick={() => setIsCreatingDefinition(true)}
                >
                  Create new definition
                </button>
              ) : null}
              {nav()}
            </form>
            {isCreatingDefinition && values.type ? (
              <section
                aria-labelledby={`${uid}-new-definition`}
                className="rounded-md border border-slate-300 p-4"
              >
                <h3 id={`${uid}-new-definition`} className="mb-3 font-semibold text-slate-900">
                  New {typeInfo?.label} definition
                </h3>
                <DefinitionForm
                  initial={{ type: values.type, name: "", settings: typeInfo?.defaultSettings ?? {} }}
                  types={types}
                  isTypeFixed
                  inline
                  onCreated={onDefinitionCreated}
                  onCancel={() => setIsCreatingDefinition(false)}
                />
              </section>
            ) : null}
          </div>
        ) : null}

        {step === 4 ? (
          <div className="mt-4 space-y-4">
            <form id={`${uid}-target-form`} onSubmit={next} noValidate>
              <fieldset
                aria-describedby={describedBy(stepErrors("target").length > 0 && `${uid}-target-error`)}
              >
                <legend className={LABEL}>Which mailboxes should the task process?</legend>
                <div className="mt-2 space-y-3">
                  {TARGET_MODES.map((m) => (
                    <div key={m.mode} className="flex items-start gap-2">
                      <input
                        id={`${uid}-mode-${m.mode}`}
                        type="radio"
                        name="targetMode"
                        value={m.mode}
                        checked={values.targetMode === m.mode}
                        onChange={() => set("targetMode", m.mode)}
                        aria-describedby={`${uid}-mode-${m.mode}-hint`}
                        className="mt-1 h-4 w-4"
                      />
                      <div>
                        <label
                          htmlFor={`${uid}-mode-${m.mode}`}
                          className="text-sm font-medium text-slate-900"
                        >
                          {m.label}
                        </label>
                        <p id={`${uid}-mode-${m.mode}-hint`} className={HINT}>
                          {m.hint}
                        </p>
                      </div>
                    </div>
                  ))}
                </div>
                <FieldErrors id={`${uid}-target-error`} messages={errors.target ?? []} />
              </fieldset>
              <div className="mt-4 max-w-2xl">
                {values.targetMode === "group_dn" ? (
                  <TextField
                    id={`${uid}-dn`}
                    field="target.dn"
                    name="dn"
                    label="Group DN"
                    hint="For example CN=dlmmsgroup,CN=Users,DC=mcdev,DC=internal"
                    value={values.dn}
                    onValueChange={(v) => set("dn", v)}
                    errors={errors}
                    isRequired
                  />
                ) : null}
                {values.targetMode === "group_email" ? (
                  <TextField
                    id={`${uid}-gmail`}
                    field="target.address"
                    name="groupEmail"
                    label="Group e-mail address"
                    type="email"
                    inputMode="email"
                    value={values.groupEmail}
                    onValueChange={(v) => set("groupEmail", v)}
                    errors={errors}
                    isRequired
                  />
                ) : null}
                {values.targetMode === "mailbox_list" ? (
                  <TextAreaField
                    id={`${uid}-addresses`}
                    field="target.addresses"
                    name="addresses"
                    label="Mailbox addresses, separated by ;"
                    hint="For example alice@contoso.com; bob@contoso.com"
                    value={values.addresses}
                    onValueChange={(v) => set("addresses", v)}
                    rows={3}
                    errors={errors}
                  />
                ) : null}
              </div>
            </form>
            {values.targetMode === "group_lookup" ? (
              <GroupLookup
                chosen={values.group}
                onChoose={(g) => set("group", g)}
                errors={errorsFor(errors, "target.groupId")}
              />
            ) : null}
            <div className="flex flex-wrap gap-2">
              <button type="button" className={BUTTON_SECONDARY} onClick={back}>
                Back
              </button>
              <button type="submit" form={`${uid}-target-form`} className={BUTTON_PRIMARY}>
                Next
              </button>
            </div>
          </div>
        ) : null}

        {step === 5 ? (
          <form onSubmit={save} noValidate className="mt-4 space-y-6">
            <TextField
              id={`${uid}-name`}
              field="name"
              name="name"
              label="Task name"
              hint="Shown in the task list and logs, for example “Sales — folder replication”."
              value={values.name}
              onValueChange={(v) => set("name", v)}
              errors={errors}
              isRequired
              className="max-w-xl"
            />
            <div>
              <h3 className="font-semibold text-slate-900">Summary</h3>
              <dl className="mt-2 grid gap-x-6 gap-y-1 text-sm sm:grid-cols-[12rem_1fr]">
                <dt className="font-medium text-slate-700">Site</dt>
                <dd className="text-slate-900">{siteName ?? "(not chosen)"}</dd>
                <dt className="font-medium text-slate-700">Schedule</dt>
                <dd className="text-slate-900">{scheduleName ?? "(not chosen)"}</dd>
                <dt className="font-medium text-slate-700">Type</dt>
                <dd className="text-slate-900">{typeInfo?.label ?? "(not chosen)"}</dd>
                <dt className="font-medium text-slate-700">Definition</dt>
                <dd className="text-slate-900">{definitionName ?? "(not chosen)"}</dd>
                <dt className="font-medium text-slate-700">Group</dt>
                <dd className="break-words text-slate-900">{targetSummary}</dd>
              </dl>
            </div>
            {nav(true)}
          </form>
        ) : null}
      </section>
    </div>
  );
}
