import { TASK_TYPE_LIST, type TTaskTypeView } from "@coffer/worker/tasks/index";

/**
 * The five task types for the console's forms, with each type's default settings for a new definition.
 * Built here rather than with the API's listTaskTypes(), because a type whose settings have required
 * fields (Managed Folders needs its folders) has no complete default: it starts with none instead of the
 * whole page failing.
 */
export function taskTypeOptions(): TTaskTypeView[] {
  return TASK_TYPE_LIST.map((t) => {
    const defaults = t.settings.safeParse({});
    return {
      type: t.type,
      label: t.label,
      description: t.description,
      isAvailable: t.isAvailable,
      hasSequence: t.hasSequence,
      defaultSettings: defaults.success ? defaults.data : {},
    };
  });
}
