import { sql } from "kysely";
import { commitItemPage, type TItemPageCommit, type TItemPageResult } from "../archive/write-items";
import { insertBlobRow } from "../blobs/rows";
import type { StoredBlob } from "../blobs/store";
import type { DataType } from "../schema";
import { type DbOrTrx, inTransaction } from "../transaction";

/**
 * Writes of the calendar/contacts/tasks/notes sync. A page is committed with the archive engine's
 * `commitItemPage` (same history rows, seen-set, checkpoint and reconciliation as mail), and in the same
 * transaction the parts of the new versions (task attachments) are recorded against the version rows.
 */

export type TPartInsert = {
  partId: string;
  name: string;
  contentType: string;
  size: number;
  sha256: string;
  lastModifiedAt: Date | null;
};

export type TPimPageCommit = TItemPageCommit & {
  /** Attachment blobs stored for this page (their rows are inserted here). */
  partBlobs: StoredBlob[];
  /** Parts of the new current versions, by item graph id (only for items in `inserts`). */
  parts: Map<string, TPartInsert[]>;
};

export async function commitPimPage(db: DbOrTrx, c: TPimPageCommit): Promise<TItemPageResult> {
  return inTransaction(db, async (trx) => {
    for (const b of c.partBlobs) await insertBlobRow(trx, b);
    const { partBlobs: _b, parts, ...page } = c;
    const result = await commitItemPage(trx, page);
    const ids = [...parts.keys()].filter((id) => (parts.get(id)?.length ?? 0) > 0);
    if (ids.length) {
      const rows = await trx
        .selectFrom("item_versions")
        .select(["id", "graph_id"])
        .where("mailbox_id", "=", c.mailboxId)
        .where("data_type", "=", c.dataType)
        .where("graph_id", "in", ids)
        .where("valid_to", "is", null)
        .execute();
      const values = rows.flatMap((r) =>
        (parts.get(r.graph_id) ?? []).map((p) => ({
          item_version_id: r.id,
          part_id: p.partId,
          kind: "attachment" as const,
          name: p.name,
          content_type: p.contentType,
          size: p.size,
          sha256: p.sha256,
          last_modified_at: p.lastModifiedAt,
        })),
      );
      if (values.length)
        await trx
          .insertInto("item_parts")
          .values(values)
          .onConflict((oc) => oc.doNothing())
          .execute();
    }
    return result;
  });
}

export type TStoredPart = TPartInsert & { itemVersionId: number };

/** The parts of some versions (the sync reuses an attachment's bytes when its id, size and time are unchanged). */
export async function loadParts(
  db: DbOrTrx,
  versionIds: readonly number[],
): Promise<Map<number, TStoredPart[]>> {
  const out = new Map<number, TStoredPart[]>();
  if (versionIds.length === 0) return out;
  const rows = await db
    .selectFrom("item_parts")
    .selectAll()
    .where("item_version_id", "in", [...new Set(versionIds)])
    .orderBy("item_version_id")
    .orderBy("part_id")
    .execute();
  for (const r of rows) {
    const list = out.get(r.item_version_id) ?? [];
    list.push({
      itemVersionId: r.item_version_id,
      partId: r.part_id,
      name: r.name,
      contentType: r.content_type,
      size: r.size,
      sha256: r.sha256,
      lastModifiedAt: r.last_modified_at,
    });
    out.set(r.item_version_id, list);
  }
  return out;
}

/** How many current items a mailbox holds per data type (the CLI's and the portal's empty states). */
export async function countCurrentItems(db: DbOrTrx, mailboxId: string): Promise<Record<DataType, number>> {
  const { rows } = await sql<{ data_type: DataType; n: number }>`
    SELECT data_type, count(*)::int AS n FROM item_versions
    WHERE mailbox_id = ${mailboxId} AND valid_to IS NULL GROUP BY data_type`.execute(db);
  const out: Record<DataType, number> = { mail: 0, calendar: 0, contacts: 0, tasks: 0, notes: 0 };
  for (const r of rows) out[r.data_type] = r.n;
  return out;
}
