import { sql } from "kysely";
import type { DataType } from "../schema";
import type { DbOrTrx } from "../transaction";

/**
 * Forgets where the syncs of a data type stand (delta cursors and reconciliation seen-sets), for every
 * mailbox not under legal hold, or just `mailboxId`'s. Used when a type is turned off: its archived data
 * goes, so when it is turned on again, the next sync must start from nothing (a full sync), not continue
 * an old delta round. A held mailbox keeps its data, so it keeps its cursors too (its next sync continues
 * where it stopped). Returns the number of cursors removed.
 *
 * `mailbox_sync_state` stays: its observation time must keep growing across runs (archive/sync-state.ts).
 */
export async function resetSyncCursors(
  db: DbOrTrx,
  dataType: DataType,
  scope: { mailboxId?: string } = {},
): Promise<number> {
  const mailbox = scope.mailboxId ? sql`AND mailbox_id = ${scope.mailboxId}` : sql``;
  const notHeld = sql`AND NOT EXISTS (SELECT 1 FROM legal_holds h WHERE h.mailbox_id = t.mailbox_id
    AND h.released_at IS NULL)`;
  await sql`DELETE FROM sync_seen t WHERE data_type = ${dataType} ${mailbox} ${notHeld}`.execute(db);
  const result =
    await sql`DELETE FROM sync_cursors t WHERE data_type = ${dataType} ${mailbox} ${notHeld}`.execute(db);
  return Number(result.numAffectedRows ?? 0);
}
