import type { Db } from "@coffer/db/client";
import { checkSyncAllowed, type TSkipReason } from "@coffer/db/retention/sync-gate";
import type { DataType } from "@coffer/db/schema";

/**
 * For the sync engines' entry points: one call before a mailbox's run of a data type starts.
 *
 *   await assertSyncAllowed(deps.db, mailbox.id, "mail");
 *
 * Throws `SyncNotAllowedError` when the mailbox is de-provisioned or the retention policy turns the data
 * type's sync off. It is not a failure of the mailbox: a task run records the mailbox as skipped with the
 * error's message, `coffer sync` prints it and exits with 1.
 */
export class SyncNotAllowedError extends Error {
  override readonly name = "SyncNotAllowedError";
  constructor(
    readonly reason: TSkipReason,
    message: string,
  ) {
    super(message);
  }
}

export async function assertSyncAllowed(db: Db, mailboxId: string, dataType: DataType): Promise<void> {
  const gate = await checkSyncAllowed(db, mailboxId, dataType);
  if (!gate.isAllowed) throw new SyncNotAllowedError(gate.reason, gate.message);
}
