import { sql } from "kysely";
import type { DataType } from "../schema";
import type { DbOrTrx } from "../transaction";

/**
 * Invariants of one mailbox's archive, counted: what the crash tests assert and what an operator can check
 * after an incident. In a healthy archive `emptyVersions`, `versionsWithoutContent`, `seenLeft` and
 * `unfinishedCursors` (when no sync runs) are 0.
 */
export type TArchiveIntegrity = {
  currentItems: number;
  closedItems: number;
  /** The most versions any one item has. */
  maxVersionsPerItem: number;
  /** Versions whose validity is empty (valid_to <= valid_from): must never exist. */
  emptyVersions: number;
  /** Versions whose content metadata row is missing. */
  versionsWithoutContent: number;
  /** Seen-set rows of reconciliation rounds (left only by a round still running). */
  seenLeft: number;
  /** Cursors in the middle of a round (or never completed one). */
  unfinishedCursors: number;
};

export async function archiveIntegrity(
  db: DbOrTrx,
  mailboxId: string,
  dataType: DataType = "mail",
): Promise<TArchiveIntegrity> {
  const { rows } = await sql<TArchiveIntegrity>`
    SELECT
      (SELECT count(*)::int FROM item_versions WHERE mailbox_id = ${mailboxId} AND data_type = ${dataType} AND valid_to IS NULL) AS "currentItems",
      (SELECT count(*)::int FROM item_versions WHERE mailbox_id = ${mailboxId} AND data_type = ${dataType} AND valid_to IS NOT NULL) AS "closedItems",
      (SELECT coalesce(max(n), 0)::int FROM (SELECT count(*) AS n FROM item_versions
        WHERE mailbox_id = ${mailboxId} AND data_type = ${dataType} GROUP BY graph_id) x) AS "maxVersionsPerItem",
      (SELECT count(*)::int FROM item_versions WHERE mailbox_id = ${mailboxId} AND valid_to <= valid_from) +
      (SELECT count(*)::int FROM folder_versions WHERE mailbox_id = ${mailboxId} AND valid_to <= valid_from) AS "emptyVersions",
      (SELECT count(*)::int FROM item_versions v WHERE v.mailbox_id = ${mailboxId}
        AND NOT EXISTS (SELECT 1 FROM contents c WHERE c.sha256 = v.sha256)) AS "versionsWithoutContent",
      (SELECT count(*)::int FROM sync_seen WHERE mailbox_id = ${mailboxId} AND data_type = ${dataType}) AS "seenLeft",
      (SELECT count(*)::int FROM sync_cursors WHERE mailbox_id = ${mailboxId} AND data_type = ${dataType}
        AND (next_link IS NOT NULL OR delta_link IS NULL)) AS "unfinishedCursors"`.execute(db);
  return rows[0]!;
}
