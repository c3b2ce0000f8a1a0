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
  // Lookups asked for in the same turn of the event loop go as one query: a sync stores dozens of messages
  // at once, and one round trip per message cost as much CPU as the pack files saved.
  let pending: Map<string, Array<(row: TIndexedBlob | undefined, err?: unknown) => void>> | undefined;
  const flush = async (batch: NonNullable<typeof pending>) => {
    try {
      const rows = await db
        .selectFrom("blobs")
        .select(["sha256", "storage_key", "stored_size", "key_id"])
        .where("sha256", "in", [...batch.keys()])
        .execute();
      const found = new Map(rows.map((r) => [r.sha256, r]));
      for (const [sha256, waiters] of batch) {
        const row = found.get(sha256);
        const hit = row
          ? { storageKey: row.storage_key, storedSize: row.stored_size, keyId: row.key_id }
          : undefined;
        for (const w of waiters) w(hit);
      }
    } catch (err) {
      for (const waiters of batch.values()) for (const w of waiters) w(undefined, err);
    }
  };
  return {
    find(sha256: string): Promise<TIndexedBlob | undefined> {
      return new Promise((resolve, reject) => {
        if (!pending) {
          const batch = new Map<string, Array<(row: TIndexedBlob | undefined, err?: unknown) => void>>();
          pending = batch;
          setImmediate(() => {
            pending = undefined;
            void flush(batch);
          });
        }
        const waiters = pending.get(sha256) ?? [];
        waiters.push((row, err) => (err ? reject(err) : resolve(row)));
        pending.set(sha256, waiters);
      });
    },
  };
}
