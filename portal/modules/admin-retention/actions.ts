"use server";

import { randomUUID } from "node:crypto";
import {
  applyPolicyChange,
  deprovision,
  isRetentionError,
  placeHold,
  previewPolicyChange,
  releaseHold,
  reprovision,
} from "@coffer/db/retention/index";
import { DATA_TYPES } from "@coffer/db/schema";
import { revalidatePath } from "next/cache";
import { unstable_rethrow } from "next/navigation";
import type { TPrincipal } from "@/lib/auth/identity";
import { onPage, requireAdmin } from "@/lib/authz/guard";
import { db } from "@/lib/db";
import { rulesFromForm, type TRetentionFormState } from "./lib/form";
import { actorOf, requestPurge } from "./lib/retention-context";

/**
 * Server actions of the retention policy and legal holds pages. Each checks the administrator first (a
 * non-admin gets Next's 404, or 401 signed out, and nothing runs); the retention functions validate the
 * input and change nothing when they throw, so their sentence is shown next to the field.
 */
const str = (form: FormData, name: string): string => {
  const v = form.get(name);
  return typeof v === "string" ? v : "";
};

async function asAdmin(
  name: string,
  run: (principal: TPrincipal) => Promise<TRetentionFormState>,
  fieldOf: (path: string) => string | undefined = () => undefined,
): Promise<TRetentionFormState> {
  const principal = await onPage(requireAdmin());
  try {
    return await run(principal);
  } catch (error) {
    unstable_rethrow(error);
    if (isRetentionError(error)) {
      const fieldErrors: Record<string, string> = {};
      for (const issue of error.issues) {
        const field = fieldOf(issue.path);
        if (field && !fieldErrors[field]) fieldErrors[field] = issue.message;
      }
      return {
        status: "error",
        message: `Nothing was changed. ${error.message}`,
        ...(Object.keys(fieldErrors).length ? { fieldErrors } : {}),
      };
    }
    const reference = randomUUID();
    console.error(`retention action ${name} failed (reference ${reference})`, error);
    return { status: "error", message: `Something went wrong. Reference for the server log: ${reference}` };
  }
}

/** `rules.2.retentionDays` → the data type at index 2 of the change (the form sends all five, in order). */
function ruleField(path: string): string | undefined {
  const m = /^rules\.(\d+)/.exec(path);
  return m ? DATA_TYPES[Number(m[1])] : undefined;
}

/** Step 1: what the change would do, for the confirmation. Reads only. */
export async function previewPolicyAction(
  _prev: TRetentionFormState,
  form: FormData,
): Promise<TRetentionFormState> {
  return asAdmin(
    "previewPolicy",
    async () => {
      const change = {
        rules: rulesFromForm(form).map((r) => ({
          dataType: r.dataType,
          syncEnabled: r.syncEnabled,
          retentionDays: r.retentionDays,
        })),
        expectedUpdatedAt: str(form, "expectedUpdatedAt") || undefined,
      };
      const preview = await previewPolicyChange(db(), change);
      if (preview.isNoop)
        return { status: "ok", message: "Nothing to save: the policy already has these values." };
      return { status: "confirm", confirmation: { ...preview.confirmation, change: JSON.stringify(change) } };
    },
    ruleField,
  );
}

/** Step 2: the confirmed change is applied (and the purge requested when it deletes data). */
export async function applyPolicyAction(
  _prev: TRetentionFormState,
  form: FormData,
): Promise<TRetentionFormState> {
  return asAdmin(
    "applyPolicy",
    async (principal) => {
      let change: unknown;
      try {
        change = JSON.parse(str(form, "change"));
      } catch {
        return {
          status: "error",
          message: "Nothing was changed: the confirmation was not understood. Start again.",
        };
      }
      const result = await applyPolicyChange(db(), change, {
        confirmed: true,
        actor: await actorOf(principal),
        requestPurge: requestPurge(),
      });
      revalidatePath("/admin/retention");
      return { status: "ok", message: result.message };
    },
    ruleField,
  );
}

export async function placeHoldAction(
  _prev: TRetentionFormState,
  form: FormData,
): Promise<TRetentionFormState> {
  return asAdmin(
    "placeHold",
    async (principal) => {
      const r = await placeHold(
        db(),
        { mailbox: str(form, "mailbox"), reason: str(form, "reason") },
        { actor: await actorOf(principal) },
      );
      revalidatePath("/admin/holds");
      return { status: "ok", message: r.message };
    },
    (path) => (path.startsWith("mailbox") ? "mailbox" : path.startsWith("reason") ? "reason" : undefined),
  );
}

export async function releaseHoldAction(
  _prev: TRetentionFormState,
  form: FormData,
): Promise<TRetentionFormState> {
  return asAdmin("releaseHold", async (principal) => {
    const r = await releaseHold(
      db(),
      { mailbox: str(form, "mailbox"), note: str(form, "note") || undefined },
      { actor: await actorOf(principal) },
    );
    revalidatePath("/admin/holds");
    return { status: "ok", message: r.message };
  });
}

/** De-provision (stop syncing; archived data is kept) or re-provision a mailbox. */
export async function lifecycleAction(
  _prev: TRetentionFormState,
  form: FormData,
): Promise<TRetentionFormState> {
  return asAdmin(
    "mailboxLifecycle",
    async (principal) => {
      const input = { mailbox: str(form, "mailbox"), reason: str(form, "reason") || undefined };
      const actor = await actorOf(principal);
      const r =
        str(form, "operation") === "reprovision"
          ? await reprovision(db(), input, { actor })
          : await deprovision(db(), input, { actor });
      revalidatePath("/admin/holds");
      return { status: "ok", message: r.message };
    },
    (path) => (path.startsWith("mailbox") ? "mailbox" : path.startsWith("reason") ? "reason" : undefined),
  );
}
