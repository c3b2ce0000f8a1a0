import { sql } from "kysely";
import type { DataType } from "../schema";
import { type DbOrTrx, inTransaction } from "../transaction";

/**
 * Resets the Full View of mailboxes (seed 004: removing an Exchange Task "will reset your Exchange
 * Folders Full View for all mailboxes processed by the task").
 *
 * What reset means here: the history that is no longer current is forgotten. Every closed version
 * (`valid_to IS NOT NULL`) of the mailbox's folders and items of the given data types is deleted, so the
 * Full View afterwards shows exactly what the mailbox holds now (as last replicated): no deleted or
 * moved-away messages, no deleted or renamed folders. Current versions, sync checkpoints and blobs stay
 * (blobs are shared by content and collected separately).
 *
 * A mailbox under an active legal hold is not touched: a hold means nothing of the mailbox is purged, so
 * its history is kept and reported as such (`isKeptForLegalHold`).
 *
 * Written by the Exchange Tasks engine as its own file. It deletes closed rows only, which the sync engine
 * never reads or updates again, so it is safe beside a sync of the same mailbox (a version the sync closes
 * afterwards simply stays as new history).
 */
export type TFullViewReset = {
  mailboxId: string;
  isKeptForLegalHold: boolean;
  folderVersionsRemoved: number;
  itemVersionsRemoved: number;
};

export async function resetFullView(
  db: DbOrTrx,
  mailboxIds: readonly string[],
  dataTypes: readonly DataType[],
): Promise<TFullViewReset[]> {
  if (mailboxIds.length === 0 || dataTypes.length === 0) return [];
  return inTransaction(db, async (trx) => {
    const out: TFullViewReset[] = [];
    for (const mailboxId of [...new Set(mailboxIds)].sort()) {
      const held = await trx
        .selectFrom("mailboxes as m")
        .leftJoin("legal_holds as h", (j) =>
          j.onRef("h.mailbox_id", "=", "m.id").on("h.released_at", "is", null),
        )
        .select(["m.id", sql<boolean>`h.id IS NOT NULL`.as("on_hold")])
        .where("m.id", "=", mailboxId)
        .executeTakeFirst();
      if (!held) continue;
      if (held.on_hold) {
        out.push({ mailboxId, isKeptForLegalHold: true, folderVersionsRemoved: 0, itemVersionsRemoved: 0 });
        continue;
      }
      const items = await trx
        .deleteFrom("item_versions")
        .where("mailbox_id", "=", mailboxId)
        .where("data_type", "in", [...dataTypes])
        .where("valid_to", "is not", null)
        .executeTakeFirst();
      const folders = await trx
        .deleteFrom("folder_versions")
        .where("mailbox_id", "=", mailboxId)
        .where("data_type", "in", [...dataTypes])
        .where("valid_to", "is not", null)
        .executeTakeFirst();
      out.push({
        mailboxId,
        isKeptForLegalHold: false,
        folderVersionsRemoved: Number(folders.numDeletedRows),
        itemVersionsRemoved: Number(items.numDeletedRows),
      });
    }
    return out;
  });
}
