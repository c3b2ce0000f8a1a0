import { sql } from "kysely";
import { BlobIntegrityError, BlobNotFoundError } from "../blobs/backend";
import type { FsBlobBackend } from "../blobs/fs-backend";
import { packKey, parsePackKey, RECORD_PREFIX_BYTES } from "../blobs/packs";
import type { Db } from "../client";
import type { DbOrTrx } from "../transaction";

/**
 * The pack phase of the purge: reclaims the space of packed objects (db/src/blobs/packs.ts) whose rows are
 * gone. A packed object is never removed on its own; its bytes are dead once no `blobs` row names it, and
 * a pack is dealt with as a whole:
 *
 * - deleted, when no row references it, it was not written within the grace period (so it is not a pack
 *   some process is still appending to: the writer's appends update its mtime, and a writer notices a
 *   removed pack and writes into a new one), and it has not lost a reference within the grace period
 *   either (`blob_packs.released_at`, set in the transaction that deletes a row or moves it away);
 * - compacted, when its live objects fill less than `threshold` (default half) of it: their stored bytes
 *   are copied as they are (no re-encryption: an object's format does not depend on where it sits) into a
 *   new pack, made durable, and then their rows are pointed at the copies in one transaction (only rows
 *   still naming the old location). The old pack now has no references; it is deleted by a later run,
 *   after the grace period, because a reader may have looked its old key up just before.
 *
 * The race with a sync reusing content: the sync finds a row (key K in pack P), and the purge deletes the
 * row before the sync's page commits. The sync then inserts the row again with K (ON CONFLICT DO NOTHING
 * found nothing), so P is referenced again and stays: the deletion re-checks references right before
 * unlinking, and `released_at` makes sure that a key looked up before the row was deleted has had the grace
 * period to be committed (the same assumption as for per-object files: a page commits within the grace
 * period of reading its keys). If the row is deleted while the sync's page is in flight after its insert,
 * the page fails its foreign key (23503) and the sync stores the content afresh (sync-messages.ts).
 */

export type TPackCounts = {
  /** Pack files looked at. */
  scanned: number;
  deleted: number;
  compacted: number;
  /** Objects copied out of compacted packs, and their bytes. */
  objectsMoved: number;
  bytesCopied: number;
  /** Size of the pack files deleted (for a dry run: what deleting and compacting would free). */
  bytesFreed: number;
  /** Dead or sparse packs left for a later run: written or released within the grace period. */
  deferred: number;
  /** Objects a compaction could not read (a torn tail): their rows stay, and so does their pack. */
  unreadable: number;
};

export function zeroPackCounts(): TPackCounts {
  return {
    scanned: 0,
    deleted: 0,
    compacted: 0,
    objectsMoved: 0,
    bytesCopied: 0,
    bytesFreed: 0,
    deferred: 0,
    unreadable: 0,
  };
}

export type TPackOptions = {
  dryRun: boolean;
  /** Compact a pack whose live bytes are below this share of its size (default 0.5). */
  threshold?: number;
  /** Bytes read and written per group commit while compacting (default 8 MiB). */
  chunkBytes?: number;
  onPack?: (packId: string, action: "deleted" | "compacted") => Promise<void> | void;
  log?: (line: string) => void;
};

const DEFAULT_THRESHOLD = 0.5;
const DEFAULT_CHUNK_BYTES = 8 * 1024 * 1024;

export async function collectPacks(
  db: Db,
  backend: FsBlobBackend,
  unusedSince: Date,
  options: TPackOptions,
): Promise<TPackCounts> {
  const counts = zeroPackCounts();
  const files: Array<{ packId: string; size: number; modifiedAt: Date }> = [];
  for await (const p of backend.listPacks()) files.push(p);
  if (files.length === 0) return counts;

  // One pass over the packed rows (an index-only range when packs are few): live objects and bytes per pack.
  const { rows: liveRows } = await sql<{ pack_id: string; n: number; bytes: number }>`
    SELECT split_part(storage_key, '/', 2) AS pack_id, count(*)::bigint AS n,
      coalesce(sum(stored_size), 0)::bigint AS bytes
    FROM blobs WHERE storage_key LIKE 'pack/%' GROUP BY 1`.execute(db);
  const live = new Map(liveRows.map((r) => [r.pack_id, { n: Number(r.n), bytes: Number(r.bytes) }]));
  const released = new Map(
    (await db.selectFrom("blob_packs").select(["pack_id", "released_at"]).execute()).map((r) => [
      r.pack_id,
      r.released_at,
    ]),
  );
  const threshold = options.threshold ?? DEFAULT_THRESHOLD;
  let writer: ReturnType<FsBlobBackend["newPackWriter"]> | undefined;
  try {
    for (const file of files) {
      counts.scanned++;
      const l = live.get(file.packId) ?? { n: 0, bytes: 0 };
      const liveBytes = l.bytes + l.n * RECORD_PREFIX_BYTES;
      const isDead = l.n === 0;
      const isSparse = !isDead && liveBytes < threshold * file.size;
      if (!isDead && !isSparse) continue;
      const releasedAt = released.get(file.packId);
      const isRecent =
        file.modifiedAt >= unusedSince || (releasedAt !== undefined && releasedAt >= unusedSince);
      if (isDead) {
        if (isRecent) {
          counts.deferred++;
          continue;
        }
        if (options.dryRun) {
          counts.deleted++;
          counts.bytesFreed += file.size;
          continue;
        }
        // A row may have come back since the pass above (a sync committing a key it had looked up).
        if (await isPackReferenced(db, file.packId)) continue;
        if (await backend.deletePack(file.packId)) {
          counts.deleted++;
          counts.bytesFreed += file.size;
        }
        await db.deleteFrom("blob_packs").where("pack_id", "=", file.packId).execute();
        await options.onPack?.(file.packId, "deleted");
        continue;
      }
      // Sparse. Only a pack nobody writes to any more is worth compacting (mtime); a recent release does
      // not matter here, the old pack is kept for the grace period after the move anyway.
      if (file.modifiedAt >= unusedSince) {
        counts.deferred++;
        continue;
      }
      if (options.dryRun) {
        counts.compacted++;
        counts.bytesFreed += file.size - liveBytes;
        continue;
      }
      writer ??= backend.newPackWriter();
      const moved = await compactPack(
        db,
        backend,
        writer,
        file.packId,
        options.chunkBytes ?? DEFAULT_CHUNK_BYTES,
      );
      counts.compacted++;
      counts.objectsMoved += moved.objects;
      counts.bytesCopied += moved.bytes;
      counts.unreadable += moved.unreadable;
      options.log?.(
        `pack ${file.packId}: ${moved.objects} live objects (${moved.bytes} bytes) of ${file.size} copied to a new pack; the old pack goes after the grace period`,
      );
      await options.onPack?.(file.packId, "compacted");
    }
  } finally {
    await writer?.close();
  }
  return counts;
}

async function isPackReferenced(db: DbOrTrx, packId: string): Promise<boolean> {
  const row = await db
    .selectFrom("blobs")
    .select("sha256")
    // Both conditions: the first matches the partial index's predicate, the second is its range.
    .where("storage_key", "like", "pack/%")
    .where("storage_key", "like", `pack/${packId}/%`)
    .limit(1)
    .executeTakeFirst();
  return row !== undefined;
}

/** Copies a pack's live objects into `writer`'s pack, then repoints their rows in one transaction. */
async function compactPack(
  db: Db,
  backend: FsBlobBackend,
  writer: ReturnType<FsBlobBackend["newPackWriter"]>,
  packId: string,
  chunkBytes: number,
): Promise<{ objects: number; bytes: number; unreadable: number }> {
  const rows = (
    await db
      .selectFrom("blobs")
      .select(["sha256", "storage_key"])
      .where("storage_key", "like", "pack/%")
      .where("storage_key", "like", `pack/${packId}/%`)
      .execute()
  )
    .map((r) => ({ sha256: r.sha256, oldKey: r.storage_key, loc: parsePackKey(r.storage_key) }))
    .filter((r) => r.loc !== undefined)
    .sort((a, b) => a.loc!.offset - b.loc!.offset);
  const moves: Array<{ sha256: string; oldKey: string; newKey: string }> = [];
  let unreadable = 0;
  let bytes = 0;
  for (let i = 0; i < rows.length; ) {
    const chunk: Array<{ sha256: string; oldKey: string; bytes: Buffer }> = [];
    let chunkSize = 0;
    for (; i < rows.length && (chunk.length === 0 || chunkSize < chunkBytes); i++) {
      const r = rows[i]!;
      try {
        const raw = await backend.readPacked(r.loc!);
        chunk.push({ sha256: r.sha256, oldKey: r.oldKey, bytes: raw });
        chunkSize += raw.length;
      } catch (err) {
        if (!(err instanceof BlobIntegrityError || err instanceof BlobNotFoundError)) throw err;
        unreadable++; // left where it is: copying cannot repair it, and its row keeps the pack
      }
    }
    // All appends of a chunk at once: they share one write and one fdatasync (group commit).
    const locs = await Promise.all(chunk.map((c) => writer.append(c.sha256, c.bytes)));
    for (let k = 0; k < chunk.length; k++) {
      moves.push({ sha256: chunk[k]!.sha256, oldKey: chunk[k]!.oldKey, newKey: packKey(locs[k]!) });
      bytes += chunk[k]!.bytes.length;
    }
  }
  // The copies are durable (append resolved after fdatasync); now the rows, all at once.
  const updated = await db.transaction().execute(async (trx) => {
    let n = 0;
    if (moves.length > 0) {
      const result = await sql`
        UPDATE blobs b SET storage_key = v.new_key
        FROM unnest(${moves.map((m) => m.sha256)}::text[], ${moves.map((m) => m.oldKey)}::text[],
          ${moves.map((m) => m.newKey)}::text[]) AS v(sha256, old_key, new_key)
        WHERE b.sha256 = v.sha256 AND b.storage_key = v.old_key`.execute(trx);
      n = Number(result.numAffectedRows ?? 0);
    }
    await markReleased(trx, [packId]);
    return n;
  });
  return { objects: updated, bytes, unreadable };
}

/** Records that these packs lost references now (same transaction as the rows that went). */
export async function markReleased(db: DbOrTrx, packIds: readonly string[]): Promise<void> {
  if (packIds.length === 0) return;
  await db
    .insertInto("blob_packs")
    .values(packIds.map((id) => ({ pack_id: id, released_at: sql<Date>`now()` })))
    .onConflict((oc) => oc.column("pack_id").doUpdateSet({ released_at: sql<Date>`now()` }))
    .execute();
}

/** The distinct packs of some storage keys (non-pack keys are ignored). */
export function packIdsOf(keys: readonly string[]): string[] {
  const ids = new Set<string>();
  for (const k of keys) {
    const loc = parsePackKey(k);
    if (loc) ids.add(loc.packId);
  }
  return [...ids];
}
