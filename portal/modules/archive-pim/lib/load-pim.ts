import "server-only";
import { getArchivedDataTypes } from "@coffer/db/archive/data-presence";
import { getEffectiveRules } from "@coffer/db/retention/retention-policies";
import { DATA_TYPES, type DataType } from "@coffer/db/schema";
import type { TPrincipal } from "@/lib/auth/identity";
import type { TMailboxAccess } from "@/lib/authz/policy";
import { db } from "@/lib/db";
import { auditRead } from "@/modules/archive/lib/audit-read";
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

/**
 * A calendar-less section's content at T (contacts, tasks, notes): read, after auditing the read, when the
 * reader may see content and the section has data at T; otherwise nothing (the frame shows the state).
 */
export async function readSection<T>(
  principal: TPrincipal,
  access: TMailboxAccess,
  states: TDataTypeState[],
  section: "contacts" | "tasks" | "notes",
  at: Date | undefined,
  read: (opts: { at?: Date }) => Promise<T[]>,
): Promise<T[]> {
  if (!access.canReadContent || stateOf(states, section).state !== "present") return [];
  await auditRead(principal, access, `${section}.view`, section, { at: at?.toISOString() ?? null });
  return read(at ? { at } : {});
}

export function stateOf(states: TDataTypeState[], type: DataType): TDataTypeState {
  return states.find((s) => s.dataType === type) ?? { dataType: type, state: "empty", policyName: "Default" };
}
