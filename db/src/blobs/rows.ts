import type { BlobRow } from "../schema";
import type { DbOrTrx } from "../transaction";
import type { BlobIndex, StoredBlob, TIndexedBlob } from "./store";

/**
 * Records a stored blob. ON CONFLICT DO NOTHING: the same content may be inserted by many mailboxes' page
 * transactions at once, and the first row stays (its object is the one on storage: the first writer wins).
 * Call it inside the transaction that inserts the rows referencing the blob.
 */
export async function insertBlobRow(db: DbOrTrx, blob: Omit<StoredBlob, "isNew">): Promise<void> {
  await db
    .insertInto("blobs")
    .values({
      sha256: blob.sha256,
      size: blob.size,
      stored_size: blob.storedSize,
      storage_key: blob.storageKey,
      key_id: blob.keyId,
    })
    .onConflict((oc) => oc.column("sha256").doNothing())
    .execute();
}

export async function findBlobRow(db: DbOrTrx, sha256: string): Promise<BlobRow | undefined> {
  return db.selectFrom("blobs").selectAll().where("sha256", "=", sha256).executeTakeFirst();
}

/**
 * The blob store's index (sha256 → storage key) over the `blobs` table. A row exists only once the
 * transaction that recorded it committed, and the store made the object durable before handing its key
 * out, so whatever this finds is readable.
 */
export function dbBlobIndex(db: DbOrTrx): BlobIndex {
  return {
    async find(sha256: string): Promise<TIndexedBlob | undefined> {
      const row = await db
        .selectFrom("blobs")
        .select(["storage_key", "stored_size", "key_id"])
        .where("sha256", "=", sha256)
        .executeTakeFirst();
      return row
        ? { storageKey: row.storage_key, storedSize: row.stored_size, keyId: row.key_id }
        : undefined;
    },
  };
}
