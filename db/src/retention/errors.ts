import type { z } from "zod";

/**
 * The failures an administrator can act on, raised by the retention, legal hold and de-provisioning
 * functions (policy page, legal hold page, de-provision button, `coffer policy|hold|deprovision`).
 * `message` is a sentence safe to show as is; `code` lets the portal choose a status:
 *
 * | code                    | when                                                       | HTTP |
 * | ----------------------- | ---------------------------------------------------------- | ---- |
 * | `invalid_input`         | a value is out of bounds or missing (see `issues`)         | 422  |
 * | `not_found`             | no such mailbox, no such hold                              | 404  |
 * | `conflict`              | already on hold, already de-provisioned, UPN taken         | 409  |
 * | `confirmation_required` | a change that deletes data was not confirmed               | 409  |
 * | `stale`                 | the policy changed since the form was loaded               | 409  |
 *
 * Nothing is changed when one of these is thrown.
 */
export type TRetentionErrorCode =
  | "invalid_input"
  | "not_found"
  | "conflict"
  | "confirmation_required"
  | "stale";

export type TFieldIssue = { path: string; message: string };

export class RetentionError extends Error {
  override readonly name = "RetentionError";
  constructor(
    readonly code: TRetentionErrorCode,
    message: string,
    /** Per-field messages for forms (`rules.0.retentionDays`), when the input was invalid. */
    readonly issues: readonly TFieldIssue[] = [],
  ) {
    super(message);
  }

  /** The same sentence, named like the portal's AppError field. */
  get userMessage(): string {
    return this.message;
  }
}

export function isRetentionError(error: unknown): error is RetentionError {
  return error instanceof RetentionError;
}

/**
 * Parses input with a zod schema, or throws `invalid_input` whose message lists every problem in plain
 * words (the schemas' messages are written as sentences for this).
 */
export function parseInput<T extends z.ZodType>(
  schema: T,
  input: unknown,
  label?: (issue: z.core.$ZodIssue) => string | undefined,
): z.output<T> {
  const result = schema.safeParse(input);
  if (result.success) return result.data;
  const issues = result.error.issues.map((issue) => {
    const prefix = label?.(issue);
    const text = ensureSentence(issue.message);
    return { path: issue.path.map(String).join("."), message: prefix ? `${prefix}: ${text}` : text };
  });
  const unique = [...new Set(issues.map((i) => i.message))];
  throw new RetentionError("invalid_input", unique.join(" "), issues);
}

function ensureSentence(text: string): string {
  const t = text.trim();
  const capital = t.charAt(0).toUpperCase() + t.slice(1);
  return /[.!?]$/.test(capital) ? capital : `${capital}.`;
}
