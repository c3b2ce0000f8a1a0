import { sql } from "kysely";
import { z } from "zod";
import { DIRECTORY_DEPROVISIONED, isMailboxActive } from "../mailboxes/mailboxes";
import type { MailboxRow } from "../schema";
import { type DbOrTrx, inTransaction } from "../transaction";
import { parseInput, RetentionError } from "./errors";
import { audit } from "./holds";
import { resolveMailboxRef, ZMailboxRef } from "./mailbox-ref";
import type { TActor } from "./policy-change";
import { formatUtc } from "./wording";

/**
 * De-provisioning (seed 000: "You can de-provision accounts from … Sync & Recover"): an administrator
 * takes a mailbox out of syncing. Its archive stays, under the retention rules like any other (and under
 * its legal hold if it has one), and is found in the portal's user search with "include deactivated
 * users" (`listMailboxes(db, { includeDeactivated: true })`). Re-provisioning puts it back: the next sync
 * continues from its delta checkpoints.
 *
 * What stops the syncs: every sync entry point checks `checkSyncAllowed` (./sync-gate.ts), which refuses
 * a de-provisioned mailbox, and whole-tenant runs only pick active mailboxes (`isMailboxActive`). A
 * directory sync that still sees the account does not undo an administrator's de-provisioning
 * (mailboxes/mailboxes.ts). Both actions are audited (`mailbox.deprovision`, `mailbox.reprovision`).
 */

export const ZDeprovisionInput = z.object({
  mailbox: ZMailboxRef,
  /** Why (kept in the audit log). */
  reason: z.string().trim().max(1000, { error: "Keep the reason under 1,000 characters." }).optional(),
});
export type TDeprovisionInput = z.input<typeof ZDeprovisionInput>;

export type TMailboxLifecycleView = {
  mailboxId: string;
  upn: string;
  displayName: string;
  isDeprovisioned: boolean;
  deprovisionedAt: Date | null;
  deprovisionedBy: string | null;
  /** Enabled, licensed, with a mailbox and not de-provisioned: what the syncs pick. */
  isActive: boolean;
};

export async function deprovision(
  db: DbOrTrx,
  input: unknown,
  options: { actor: TActor },
): Promise<{ mailbox: TMailboxLifecycleView; message: string }> {
  const { mailbox: ref, reason } = parseInput(ZDeprovisionInput, input);
  return inTransaction(db, async (trx) => {
    const mailbox = await resolveMailboxRef(trx, ref, { lock: "update" });
    if (mailbox.deprovisioned_at) {
      throw new RetentionError(
        "conflict",
        `${mailbox.upn} is already de-provisioned (since ${formatUtc(mailbox.deprovisioned_at)}, by ${describeBy(mailbox.deprovisioned_by)}).`,
      );
    }
    const row = await trx
      .updateTable("mailboxes")
      .set({
        deprovisioned_at: sql<Date>`now()`,
        deprovisioned_by: options.actor.upn,
        updated_at: sql<Date>`now()`,
      })
      .where("id", "=", mailbox.id)
      .returningAll()
      .executeTakeFirstOrThrow();
    await audit(trx, options.actor, "mailbox.deprovision", row, reason ? { reason } : {});
    return {
      mailbox: toView(row),
      message:
        `${row.upn} is de-provisioned: it is no longer synced. Its archive stays under the retention policy ` +
        `and is listed with "include deactivated users".`,
    };
  });
}

/**
 * Takes a mailbox back into syncing. `conflict` when it is not de-provisioned, or when its UPN now
 * belongs to another live mailbox (Entra gave the address to a new account): that archive then stays
 * de-provisioned under its old address.
 */
export async function reprovision(
  db: DbOrTrx,
  input: unknown,
  options: { actor: TActor },
): Promise<{ mailbox: TMailboxLifecycleView; message: string }> {
  const { mailbox: ref, reason } = parseInput(ZDeprovisionInput, input);
  return inTransaction(db, async (trx) => {
    const mailbox = await resolveMailboxRef(trx, ref, { prefer: "deprovisioned", lock: "update" });
    if (!mailbox.deprovisioned_at) {
      throw new RetentionError("conflict", `${mailbox.upn} is not de-provisioned.`);
    }
    const holder = await trx
      .selectFrom("mailboxes")
      .select(["id", "upn", "display_name"])
      .where(sql<string>`lower(upn)`, "=", mailbox.upn.toLowerCase())
      .where("deprovisioned_at", "is", null)
      .where("id", "<>", mailbox.id)
      .executeTakeFirst();
    if (holder) {
      throw new RetentionError(
        "conflict",
        `${mailbox.upn} now belongs to another account (${holder.display_name || holder.upn}), so this archive stays de-provisioned under its old address.`,
      );
    }
    const row = await trx
      .updateTable("mailboxes")
      .set({ deprovisioned_at: null, deprovisioned_by: null, updated_at: sql<Date>`now()` })
      .where("id", "=", mailbox.id)
      .returningAll()
      .executeTakeFirstOrThrow()
      .catch((e: unknown) => {
        // The live-UPN index (migration 0101): a directory sync gave the UPN away since the check above.
        if ((e as { code?: string }).code === "23505") {
          throw new RetentionError(
            "conflict",
            `${mailbox.upn} now belongs to another account, so this archive stays de-provisioned.`,
          );
        }
        throw e;
      });
    await audit(trx, options.actor, "mailbox.reprovision", row, {
      wasDeprovisionedAt: mailbox.deprovisioned_at.toISOString(),
      wasDeprovisionedBy: mailbox.deprovisioned_by,
      ...(reason ? { reason } : {}),
    });
    const view = toView(row);
    return {
      mailbox: view,
      message: view.isActive
        ? `${row.upn} is provisioned again: its next sync continues its archive.`
        : `${row.upn} is provisioned again, but its account is disabled, unlicensed or has no mailbox, so it is synced only once that changes.`,
    };
  });
}

function describeBy(by: string | null): string {
  if (by === DIRECTORY_DEPROVISIONED) return "the directory sync: its UPN now belongs to another account";
  return by ?? "unknown";
}

function toView(m: MailboxRow): TMailboxLifecycleView {
  return {
    mailboxId: m.id,
    upn: m.upn,
    displayName: m.display_name,
    isDeprovisioned: m.deprovisioned_at !== null,
    deprovisionedAt: m.deprovisioned_at,
    deprovisionedBy: m.deprovisioned_by,
    isActive: isMailboxActive(m),
  };
}
