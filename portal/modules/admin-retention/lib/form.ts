import { DATA_TYPES, type DataType } from "@coffer/db/schema";

export type { TRetentionFormState } from "./form-state";

export type TRuleForm = { dataType: DataType; syncEnabled: boolean; retentionDays: string };

/** The policy form's fields: `sync-<type>` (checkbox) and `days-<type>` (text, validated by the server). */
export function rulesFromForm(form: FormData): TRuleForm[] {
  return DATA_TYPES.map((dataType) => {
    const days = form.get(`days-${dataType}`);
    return {
      dataType,
      syncEnabled: form.get(`sync-${dataType}`) === "on",
      retentionDays: typeof days === "string" ? days.trim() : "",
    };
  });
}
