/**
 * What a console form's server action answers: nothing yet, saved, or refused with a sentence and the
 * problems per field. Field keys are the API's paths ("cron", "window.start", "target.addresses",
 * "settings.folders.0.retentionDays"); a field shows every problem at or below its own name.
 */
export type TFieldErrors = Record<string, string[]>;

export type TFormState<T = undefined> = {
  status: "idle" | "ok" | "error";
  message?: string;
  fieldErrors?: TFieldErrors;
  data?: T;
};

export const IDLE_STATE: TFormState<never> = { status: "idle" };

/** The problems of the field `name`, including those of its parts ("window" has "window.start"). */
export function errorsFor(errors: TFieldErrors | undefined, name: string): string[] {
  if (!errors) return [];
  const out: string[] = [];
  for (const [key, messages] of Object.entries(errors)) {
    if (key === name || key.startsWith(`${name}.`)) out.push(...messages);
  }
  return [...new Set(out)];
}

/** Groups `{ field, message }` issues by field; problems of the form as a whole go under "". */
export function groupIssues(issues: ReadonlyArray<{ field: string; message: string }>): TFieldErrors {
  const out: TFieldErrors = {};
  for (const i of issues) {
    const list = out[i.field] ?? [];
    if (!list.includes(i.message)) list.push(i.message);
    out[i.field] = list;
  }
  return out;
}
