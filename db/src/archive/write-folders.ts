import type { DataType } from "../schema";
import type { DbOrTrx } from "../transaction";
import { clearSeen, deleteScope, FOLDERS_SCOPE, markSeen, saveCursor, type TSyncCursor } from "./sync-state";
import { closeItemsOfFolder, closeVersions } from "./write-items";

/** A folder's current version, as the engine compares it with a hierarchy delta page. */
export type TFolderState = {
  versionId: number;
  graphId: string;
  parentGraphId: string | null;
  displayName: string;
  isHidden: boolean;
  validFrom: Date;
};

export type TFolderVersionInsert = {
  graphId: string;
  parentGraphId: string | null;
  displayName: string;
  isHidden: boolean;
  wellKnownName?: string | null;
};

/** The current folders of a mailbox (a few hundred at most: loaded whole). */
export async function loadFolderStates(
  db: DbOrTrx,
  mailboxId: string,
  dataType: DataType,
): Promise<Map<string, TFolderState>> {
  const rows = await db
    .selectFrom("folder_versions")
    .select(["id", "graph_id", "parent_graph_id", "display_name", "is_hidden", "valid_from"])
    .where("mailbox_id", "=", mailboxId)
    .where("data_type", "=", dataType)
    .where("valid_to", "is", null)
    .execute();
  return new Map(
    rows.map((r) => [
      r.graph_id,
      {
        versionId: r.id,
        graphId: r.graph_id,
        parentGraphId: r.parent_graph_id,
        displayName: r.display_name,
        isHidden: r.is_hidden,
        validFrom: r.valid_from,
      },
    ]),
  );
}

export type TFolderPageCommit = {
  mailboxId: string;
  dataType: DataType;
  observedAt: Date;
  /** Versions replaced by a rename, a move or a visibility change. */
  closeVersionIds: number[];
  inserts: TFolderVersionInsert[];
  /** Folders reported deleted: their version, their current items and their delta cursor end now. */
  removedFolders: Array<{ graphId: string; versionId: number }>;
  /** Folder ids the page reported present; only when the running round reconciles (else []). */
  seen: string[];
  cursor: TSyncCursor;
  /** Completes a reconciliation round: folders not seen are treated like deleted ones. */
  completeReconciliation: boolean;
};

export type TFolderPageResult = { removedFolderIds: string[]; removedItems: number };

/** Applies one hierarchy delta page and its checkpoint atomically (see commitItemPage). */
export async function commitFolderPage(db: DbOrTrx, c: TFolderPageCommit): Promise<TFolderPageResult> {
  const run = async (trx: DbOrTrx): Promise<TFolderPageResult> => {
    const removed = [...c.removedFolders];
    await closeVersions(trx, "folder_versions", c.closeVersionIds, c.observedAt);
    if (c.inserts.length) {
      await trx
        .insertInto("folder_versions")
        .values(
          c.inserts.map((f) => ({
            mailbox_id: c.mailboxId,
            data_type: c.dataType,
            graph_id: f.graphId,
            parent_graph_id: f.parentGraphId,
            display_name: f.displayName,
            well_known_name: f.wellKnownName ?? null,
            is_hidden: f.isHidden,
            valid_from: c.observedAt,
            valid_to: null,
          })),
        )
        .execute();
    }
    await markSeen(trx, c.mailboxId, c.dataType, FOLDERS_SCOPE, c.seen);
    if (c.completeReconciliation) {
      const unseen = await trx
        .selectFrom("folder_versions as f")
        .select(["f.id", "f.graph_id"])
        .where("f.mailbox_id", "=", c.mailboxId)
        .where("f.data_type", "=", c.dataType)
        .where("f.valid_to", "is", null)
        .where(({ not, exists, selectFrom }) =>
          not(
            exists(
              selectFrom("sync_seen as s")
                .select("s.graph_id")
                .whereRef("s.mailbox_id", "=", "f.mailbox_id")
                .whereRef("s.data_type", "=", "f.data_type")
                .where("s.scope", "=", FOLDERS_SCOPE)
                .whereRef("s.graph_id", "=", "f.graph_id"),
            ),
          ),
        )
        .execute();
      for (const u of unseen) removed.push({ graphId: u.graph_id, versionId: u.id });
      await clearSeen(trx, c.mailboxId, c.dataType, FOLDERS_SCOPE);
    }
    let removedItems = 0;
    await closeVersions(
      trx,
      "folder_versions",
      removed.map((r) => r.versionId),
      c.observedAt,
    );
    for (const r of removed) {
      removedItems += await closeItemsOfFolder(trx, c.mailboxId, c.dataType, r.graphId, c.observedAt);
      await deleteScope(trx, c.mailboxId, c.dataType, r.graphId);
    }
    await saveCursor(trx, c.mailboxId, c.dataType, c.cursor);
    return { removedFolderIds: removed.map((r) => r.graphId), removedItems };
  };
  if (db.isTransaction) return run(db);
  return db.transaction().execute(run);
}
