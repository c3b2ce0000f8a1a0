import { isPackKey } from "../blobs/packs";
import type { Db } from "../client";
import type { ObjectReaper } from "./object-reaper";

/**
 * The object phase: removes the stored objects of deleted blob rows (`purge_pending_objects`), and, in the
 * sweep, objects that no row ever referred to (a sync's page transaction that rolled back after writing
 * its blobs: harmless, but it takes space).
 *
 * An object is removed only when it has not been written or reused (touched) for the grace period — the
 * reaper decides that without racing a sync (object-reaper.ts). One that is in use stays queued and is
 * looked at again by the next run; if its row has come back meanwhile (a sync stored the same content
 * again), it is simply dropped from the queue.
 */

export type TObjectCounts = {
  removed: number;
  bytes: number;
  /** Still in use (written or reused within the grace period): kept, looked at again next run. */
  deferred: number;
  /** Its content was stored again by a sync meanwhile: the object is live again and stays. */
  revived: number;
};

export function zeroObjectCounts(): TObjectCounts {
  return { removed: 0, bytes: 0, deferred: 0, revived: 0 };
}

/** One keyset page of pending objects; `next` is null when the queue was walked to its end. */
export async function processPendingObjects(
  db: Db,
  reaper: ObjectReaper,
  unusedSince: Date,
  afterKey: string | null,
  batchSize: number,
  onObject?: (key: string) => Promise<void> | void,
): Promise<{ counts: TObjectCounts; next: string | null }> {
  const counts = zeroObjectCounts();
  const page = await db
    .selectFrom("purge_pending_objects")
    .selectAll()
    .where("storage_key", ">", afterKey ?? "")
    .orderBy("storage_key")
    .limit(batchSize)
    .execute();
  // One query for the page's revived keys and one statement each for the queue updates: per object,
  // only the reaper's filesystem work remains. A kill before the updates is harmless: the next run finds
  // those objects gone ("missing") and drops them from the queue.
  const keys = page.map((p) => p.storage_key);
  const live =
    keys.length === 0
      ? new Set<string>()
      : new Set(
          (await db.selectFrom("blobs").select("storage_key").where("storage_key", "in", keys).execute()).map(
            (r) => r.storage_key,
          ),
        );
  const done: string[] = [];
  const deferred: string[] = [];
  for (const p of page) {
    if (isPackKey(p.storage_key)) {
      // Packed objects are never queued (blobs.ts); should one be, its bytes go with its pack (packs.ts).
      done.push(p.storage_key);
      continue;
    }
    if (live.has(p.storage_key)) {
      counts.revived++;
      done.push(p.storage_key);
      continue;
    }
    const r = await reaper.removeIfUnused(p.storage_key, unusedSince);
    if (r.outcome === "in_use") {
      counts.deferred++;
      deferred.push(p.storage_key);
    } else {
      if (r.outcome === "removed") {
        counts.removed++;
        counts.bytes += r.size;
      }
      done.push(p.storage_key);
    }
    await onObject?.(p.storage_key);
  }
  if (done.length > 0)
    await db.deleteFrom("purge_pending_objects").where("storage_key", "in", done).execute();
  if (deferred.length > 0) {
    await db
      .updateTable("purge_pending_objects")
      .set({ deferred_at: new Date() })
      .where("storage_key", "in", deferred)
      .execute();
  }
  return { counts, next: page.length === batchSize ? (page.at(-1)?.storage_key ?? null) : null };
}

const CONTENT_KEY = /^[0-9a-f]{2}\/[0-9a-f]{2}\/([0-9a-f]{64})$/;

/**
 * The sweep's second half: every stored object whose key has no blob row and no pending entry, unused for
 * the grace period, is removed. Streams the listing in chunks; returns counts. With `dryRun`, only counts.
 */
export async function sweepOrphanObjects(
  db: Db,
  reaper: ObjectReaper,
  unusedSince: Date,
  opts: { dryRun: boolean; chunk?: number },
): Promise<{ scanned: number; counts: TObjectCounts }> {
  const counts = zeroObjectCounts();
  let scanned = 0;
  let chunk: Array<{ key: string; size: number; modifiedAt: Date }> = [];
  const flush = async () => {
    if (chunk.length === 0) return;
    const keys = chunk.map((c) => c.key);
    const known = new Set(
      (await db.selectFrom("blobs").select("storage_key").where("storage_key", "in", keys).execute()).map(
        (r) => r.storage_key,
      ),
    );
    const pending = new Set(
      (
        await db
          .selectFrom("purge_pending_objects")
          .select("storage_key")
          .where("storage_key", "in", keys)
          .execute()
      ).map((r) => r.storage_key),
    );
    for (const c of chunk) {
      if (known.has(c.key) || pending.has(c.key)) continue;
      if (c.modifiedAt >= unusedSince) {
        counts.deferred++;
        continue;
      }
      if (opts.dryRun) {
        counts.removed++;
        counts.bytes += c.size;
        continue;
      }
      const r = await reaper.removeIfUnused(c.key, unusedSince);
      if (r.outcome === "removed") {
        counts.removed++;
        counts.bytes += r.size;
      } else if (r.outcome === "in_use") counts.deferred++;
    }
    chunk = [];
  };
  for await (const info of reaper.list()) {
    // Only content-addressed objects are the blob store's; anything else in the folder is left alone.
    if (!CONTENT_KEY.test(info.key)) continue;
    scanned++;
    chunk.push(info);
    if (chunk.length >= (opts.chunk ?? 500)) await flush();
  }
  await flush();
  return { scanned, counts };
}
