import "server-only";
import { randomUUID } from "node:crypto";
import { SettingsError } from "@coffer/worker/config";
import {
  TaskConflictError,
  TaskInputError,
  TaskNotFoundError,
  type TFieldIssue,
} from "@coffer/worker/tasks/index";
import { unstable_rethrow } from "next/navigation";
import type { TPrincipal } from "@/lib/auth/identity";
import { onPage, requireAdmin } from "@/lib/authz/guard";
import { groupIssues, type TFormState } from "./form-state";

/**
 * Every admin server action runs through `adminAction`: first the admin check (a non-admin gets Next's
 * 404 — or 401 when signed out — as the action's response, and nothing runs), then the action, whose
 * expected failures become a sentence and per-field problems. Nothing internal reaches the browser:
 * unexpected errors are logged with a reference the admin can quote.
 */
export async function adminAction<T>(
  name: string,
  run: (actor: TPrincipal) => Promise<TFormState<T>>,
  mapIssue: (issue: TFieldIssue) => TFieldIssue = (i) => i,
): Promise<TFormState<T>> {
  const principal = await onPage(requireAdmin());
  try {
    return await run(principal);
  } catch (error) {
    // redirect() after saving, notFound() and the like are Next's control flow, not failures.
    unstable_rethrow(error);
    return failureState(name, error, mapIssue);
  }
}

export const NOTHING_SAVED = "Nothing was saved. Correct the fields marked below and try again.";

export function failureState<T>(
  name: string,
  error: unknown,
  mapIssue: (issue: TFieldIssue) => TFieldIssue = (i) => i,
): TFormState<T> {
  if (error instanceof TaskInputError) {
    return { status: "error", message: NOTHING_SAVED, fieldErrors: groupIssues(error.issues.map(mapIssue)) };
  }
  if (error instanceof TaskNotFoundError || error instanceof TaskConflictError) {
    return { status: "error", message: error.message };
  }
  if (error instanceof SettingsError) {
    // Only administrators get here: the sentence names the setting to fix (never a secret's value).
    return { status: "error", message: error.message };
  }
  const reference = randomUUID();
  console.error(`admin action ${name} failed (reference ${reference})`, error);
  return {
    status: "error",
    message: `Something went wrong; nothing may have been saved. Reference for the server log: ${reference}`,
  };
}
