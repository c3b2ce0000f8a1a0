import type { DataType, MailboxRow } from "../schema";
import type { DbOrTrx } from "../transaction";
import { getEffectiveRules } from "./retention-policies";
import { DATA_TYPE_LABELS } from "./wording";

/**
 * May a mailbox's data type be synced now? The one question every sync entry point (the mail engine, the
 * calendar/contacts/tasks/notes engines, the Exchange Task runner) asks before it starts a run:
 * - not when the mailbox is de-provisioned (an administrator took it out of syncing; its archive stays);
 * - not when the retention rule in force turns the data type's sync off ("turning off a data type will …
 *   stop future syncs").
 * A disabled, unlicensed or mailbox-less account is left to the caller (`isMailboxActive`): Graph tells.
 *
 * A run already going when the answer changes finishes its current page; the purge removes anything it
 * archived after a type was turned off.
 */
export type TSkipReason = "deprovisioned" | "data_type_off" | "unknown_mailbox";
export type TSyncGate = { isAllowed: true } | { isAllowed: false; reason: TSkipReason; message: string };

export async function checkSyncAllowed(
  db: DbOrTrx,
  mailboxId: string,
  dataType: DataType,
): Promise<TSyncGate> {
  const mailbox = await db
    .selectFrom("mailboxes")
    .select(["upn", "deprovisioned_at"])
    .where("id", "=", mailboxId)
    .executeTakeFirst();
  if (!mailbox)
    return { isAllowed: false, reason: "unknown_mailbox", message: `mailbox ${mailboxId} is not known` };
  return gateFor(mailbox, dataType, await syncEnabledDataTypes(db));
}

/** The data types whose sync the rules in force leave on. */
export async function syncEnabledDataTypes(db: DbOrTrx): Promise<Set<DataType>> {
  const rules = await getEffectiveRules(db);
  return new Set(rules.filter((r) => r.sync_enabled).map((r) => r.data_type));
}

/**
 * The same for many mailboxes at once (a task run's targets): which ones to sync, and why the others are
 * skipped (for the run log: "skipped: de-provisioned"). Reads the mailboxes' state from the database, not
 * from the rows passed in, which may be older than an administrator's click.
 */
export async function filterSyncableMailboxes<T extends Pick<MailboxRow, "id" | "upn">>(
  db: DbOrTrx,
  mailboxes: readonly T[],
  dataType: DataType,
): Promise<{ allowed: T[]; skipped: Array<{ mailbox: T; reason: TSkipReason; message: string }> }> {
  const enabled = await syncEnabledDataTypes(db);
  const ids = [...new Set(mailboxes.map((m) => m.id))];
  const rows =
    ids.length === 0
      ? []
      : await db
          .selectFrom("mailboxes")
          .select(["id", "upn", "deprovisioned_at"])
          .where("id", "in", ids)
          .execute();
  const byId = new Map(rows.map((r) => [r.id, r]));
  const allowed: T[] = [];
  const skipped: Array<{ mailbox: T; reason: TSkipReason; message: string }> = [];
  for (const m of mailboxes) {
    const row = byId.get(m.id);
    const gate: TSyncGate = row
      ? gateFor(row, dataType, enabled)
      : { isAllowed: false, reason: "unknown_mailbox", message: `mailbox ${m.id} is not known` };
    if (gate.isAllowed) allowed.push(m);
    else skipped.push({ mailbox: m, reason: gate.reason, message: gate.message });
  }
  return { allowed, skipped };
}

function gateFor(
  mailbox: Pick<MailboxRow, "upn" | "deprovisioned_at">,
  dataType: DataType,
  enabled: ReadonlySet<DataType>,
): TSyncGate {
  if (mailbox.deprovisioned_at) {
    return {
      isAllowed: false,
      reason: "deprovisioned",
      message: `${mailbox.upn} is de-provisioned: it is not synced (its archive stays readable)`,
    };
  }
  if (!enabled.has(dataType)) {
    return {
      isAllowed: false,
      reason: "data_type_off",
      message: `${DATA_TYPE_LABELS[dataType]} sync is turned off in the retention policy`,
    };
  }
  return { isAllowed: true };
}
