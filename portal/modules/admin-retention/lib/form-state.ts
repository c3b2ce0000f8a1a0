/** What the retention and hold forms get back from their server actions (client-safe: no imports). */
export type TRetentionFormState = {
  status: "idle" | "ok" | "error" | "confirm";
  message?: string;
  /** Per data type (policy form) or per field name (hold forms). */
  fieldErrors?: Record<string, string>;
  /** The preview to confirm: its sentences, and the change to apply as the form's JSON. */
  confirmation?: { title: string; lines: string[]; confirmLabel: string; change: string };
};

export const IDLE: TRetentionFormState = { status: "idle" };
