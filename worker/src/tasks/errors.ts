import type { z } from "zod";

/**
 * The expected failures of the Exchange Tasks API, each with a message fit to show an administrator.
 * Anything else thrown by these functions is unexpected (a bug or an outage) and should be logged.
 */

/** One problem with a form field: `field` is the input's path ("schedule.cron", "target.addresses"). */
export type TFieldIssue = { field: string; message: string };

/** Input that cannot be saved; nothing was saved. */
export class TaskInputError extends Error {
  override readonly name = "TaskInputError";
  constructor(readonly issues: readonly TFieldIssue[]) {
    super(issues.map((i) => i.message).join(" "));
  }

  static fromZod(error: z.ZodError): TaskInputError {
    return new TaskInputError(
      error.issues.map((i) => ({ field: i.path.map(String).join("."), message: i.message })),
    );
  }

  static field(field: string, message: string): TaskInputError {
    return new TaskInputError([{ field, message }]);
  }
}

/** A task, schedule, definition, site or run that does not exist (any more). */
export class TaskNotFoundError extends Error {
  override readonly name = "TaskNotFoundError";
}

/** The request conflicts with the current state (a schedule still in use, a task that is running). */
export class TaskConflictError extends Error {
  override readonly name = "TaskConflictError";
}

export function isExpectedTaskError(e: unknown): e is TaskInputError | TaskNotFoundError | TaskConflictError {
  return e instanceof TaskInputError || e instanceof TaskNotFoundError || e instanceof TaskConflictError;
}

/** Parses `input` with `schema`, or throws a TaskInputError listing every problem. */
export function parseInput<S extends z.ZodType>(schema: S, input: unknown): z.output<S> {
  const r = schema.safeParse(input);
  if (!r.success) throw TaskInputError.fromZod(r.error);
  return r.data;
}

/** Same, for schemas with async refinements (directory lookups). */
export async function parseInputAsync<S extends z.ZodType>(schema: S, input: unknown): Promise<z.output<S>> {
  const r = await schema.safeParseAsync(input);
  if (!r.success) throw TaskInputError.fromZod(r.error);
  return r.data;
}

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/** True for a well-formed uuid (ids that are not one cannot exist, and PostgreSQL would reject them). */
export function isUuid(value: string): boolean {
  return UUID.test(value);
}
