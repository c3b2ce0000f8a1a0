import "server-only";
import { getArchivedDataTypes } from "@coffer/db/archive/data-presence";
import { appendAudit } from "@coffer/db/audit/audit-log";
import { getEffectiveRules } from "@coffer/db/retention/retention-policies";
import { DATA_TYPES, type DataType, type JsonObject } from "@coffer/db/schema";
import type { TPrincipal } from "@/lib/auth/identity";
import type { TMailboxAccess } from "@/lib/authz/policy";
import { db } from "@/lib/db";
import { requestMeta } from "@/lib/request-meta";
import type { TDataTypeState } from "@/modules/archive/lib/load-snapshot";

/** Every data type's section state at T, as the mail view computes it (sync off / empty / present). */
export async function loadSectionStates(mailboxId: string, at: Date | undefined): Promise<TDataTypeState[]> {
  const [rules, present] = await Promise.all([
    getEffectiveRules(db()),
    getArchivedDataTypes(db(), mailboxId, at),
  ]);
  return DATA_TYPES.map((dataType): TDataTypeState => {
    const rule = rules.find((r) => r.data_type === dataType);
    const isOn = rule?.sync_enabled ?? true;
    return {
      dataType,
      state: !isOn ? "off" : present[dataType] ? "present" : "empty",
      policyName: rule?.policy_name ?? "Default",
    };
  });
}

export type TPimReadAction =
  | "calendar.view"
  | "calendar.event_view"
  | "calendar.ics_download"
  | "contacts.view"
  | "contacts.vcf_download"
  | "tasks.view"
  | "tasks.attachment_download"
  | "notes.view";

/**
 * Audits a read of calendar, contacts, tasks or notes content like the mail view audits message reads
 * (portal/modules/archive/lib/audit-read.ts): who, what, which mailbox, the snapshot time, from where.
 * Called before the content is rendered or sent, so a read that cannot be audited fails.
 */
export async function auditPimRead(
  principal: TPrincipal,
  access: TMailboxAccess,
  action: TPimReadAction,
  target: string,
  detail: JsonObject = {},
): Promise<void> {
  const meta = await requestMeta();
  await appendAudit(db(), {
    actorUpn: principal.upn,
    actorEntraId: principal.oid,
    action,
    mailboxId: access.mailbox.id,
    target,
    detail: { ...detail, via: access.via },
    ip: meta.ip,
    userAgent: meta.userAgent,
  });
}

export function stateOf(states: TDataTypeState[], type: DataType): TDataTypeState {
  return states.find((s) => s.dataType === type) ?? { dataType: type, state: "empty", policyName: "Default" };
}
