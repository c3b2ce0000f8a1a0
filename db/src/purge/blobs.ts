import { sql, type Transaction } from "kysely";
import { isPackKey } from "../blobs/packs";
import type { Db } from "../client";
import type { DB } from "../schema";
import { markReleased, packIdsOf } from "./packs";
import { isReferencedSql, type TBlobReference } from "./references";

/**
 * The blob phase: content whose last reference went is removed from the database, and its object is
 * queued for removal from storage (`purge_pending_objects`, in the same transaction, so no object is ever
 * forgotten). The object itself is removed later, and only when unused for the grace period (objects.ts).
 * A packed object is not queued: its pack records the release (`blob_packs`), and the pack phase
 * (packs.ts) deletes or compacts packs as a whole.
 *
 * Race with a sync that references the same content at this moment: the candidate blob rows are locked
 * (FOR UPDATE) before references are counted, in a fresh statement. A sync's insert of a referencing row
 * needs a key-share lock on the blob row (its foreign key), so it either committed before — and is counted
 * — or waits, and then fails its foreign key check once the row is gone, rolling back its page, which its
 * retry writes again (the blob object is still there, or is written again: see objects.ts).
 */

export type TBlobBatch = { candidates: number; rows: number; originalBytes: number; storedBytes: number };

/** One batch of `purge_blob_candidates`; `candidates: 0` when there are none left. */
export async function purgeCandidateBatch(
  db: Db,
  refs: readonly TBlobReference[],
  batchSize: number,
): Promise<TBlobBatch> {
  try {
    return await db.transaction().execute(async (trx) => {
      const cands = await trx
        .selectFrom("purge_blob_candidates")
        .select("sha256")
        .orderBy("sha256")
        .limit(batchSize)
        .forUpdate()
        .skipLocked()
        .execute();
      if (cands.length === 0) return { candidates: 0, rows: 0, originalBytes: 0, storedBytes: 0 };
      const shas = cands.map((c) => c.sha256);
      const removed = await removeUnreferencedBlobRows(trx, refs, shas);
      await trx.deleteFrom("purge_blob_candidates").where("sha256", "in", shas).execute();
      return { candidates: shas.length, ...removed };
    });
  } catch (e) {
    if (!isForeignKeyViolation(e)) throw e;
    // A reference the catalog did not tell about appeared; settle the batch one blob at a time.
    return purgeCandidatesOneByOne(db, refs, batchSize);
  }
}

async function purgeCandidatesOneByOne(
  db: Db,
  refs: readonly TBlobReference[],
  batchSize: number,
): Promise<TBlobBatch> {
  const out: TBlobBatch = { candidates: 0, rows: 0, originalBytes: 0, storedBytes: 0 };
  const cands = await db
    .selectFrom("purge_blob_candidates")
    .select("sha256")
    .orderBy("sha256")
    .limit(batchSize)
    .execute();
  for (const { sha256 } of cands) {
    out.candidates++;
    try {
      const r = await db.transaction().execute(async (trx) => {
        const removed = await removeUnreferencedBlobRows(trx, refs, [sha256]);
        await trx.deleteFrom("purge_blob_candidates").where("sha256", "=", sha256).execute();
        return removed;
      });
      out.rows += r.rows;
      out.originalBytes += r.originalBytes;
      out.storedBytes += r.storedBytes;
    } catch (e) {
      if (!isForeignKeyViolation(e)) throw e;
      // Still referenced: not garbage. Forget the candidate.
      await db.deleteFrom("purge_blob_candidates").where("sha256", "=", sha256).execute();
    }
  }
  return out;
}

/** Locks the rows, keeps the referenced ones, deletes contents + blob rows of the rest, queues their objects. */
async function removeUnreferencedBlobRows(
  trx: Transaction<DB>,
  refs: readonly TBlobReference[],
  shas: readonly string[],
): Promise<Omit<TBlobBatch, "candidates">> {
  const locked = await trx
    .selectFrom("blobs")
    .select("sha256")
    .where("sha256", "in", shas)
    .orderBy("sha256")
    .forUpdate()
    .execute();
  if (locked.length === 0) return { rows: 0, originalBytes: 0, storedBytes: 0 };
  // A new statement after the lock: READ COMMITTED gives it a fresh snapshot, so references committed
  // while we waited for the lock are seen.
  const { rows: doomed } = await sql<{
    sha256: string;
    storage_key: string;
    size: number;
    stored_size: number;
  }>`
    SELECT b.sha256, b.storage_key, b.size, b.stored_size FROM blobs b
    WHERE b.sha256 = ANY(${locked.map((l) => l.sha256)}::text[])
      AND NOT ${isReferencedSql(refs, sql`b.sha256`)}`.execute(trx);
  if (doomed.length === 0) return { rows: 0, originalBytes: 0, storedBytes: 0 };
  const list = doomed.map((d) => d.sha256);
  await trx.deleteFrom("contents").where("sha256", "in", list).execute();
  await trx.deleteFrom("blobs").where("sha256", "in", list).execute();
  // A per-object file is queued for removal; a packed object is not removed on its own (its bytes go
  // with its pack, packs.ts), but its pack is marked as having lost a reference now.
  await markReleased(trx, packIdsOf(doomed.map((d) => d.storage_key)));
  const files = doomed.filter((d) => !isPackKey(d.storage_key));
  if (files.length > 0)
    await trx
      .insertInto("purge_pending_objects")
      .values(
        files.map((d) => ({
          storage_key: d.storage_key,
          sha256: d.sha256,
          size: d.size,
          stored_size: d.stored_size,
        })),
      )
      .onConflict((oc) => oc.column("storage_key").doNothing())
      .execute();
  return {
    rows: doomed.length,
    originalBytes: doomed.reduce((n, d) => n + d.size, 0),
    storedBytes: doomed.reduce((n, d) => n + d.stored_size, 0),
  };
}

/**
 * The sweep's first half: blob rows nobody refers to that no purge queued (a feature that deletes its own
 * referencing rows, a row left by an older version). Created before `olderThan` only, so a row written
 * ahead of its references by some future writer is left alone. Queues them as candidates, by keyset pages.
 */
export async function queueUnreferencedBlobRows(
  db: Db,
  refs: readonly TBlobReference[],
  olderThan: Date,
  afterSha: string | null,
  batchSize: number,
): Promise<{ scanned: number; queued: number; lastSha: string | null }> {
  const page = await db
    .selectFrom("blobs")
    .select("sha256")
    .where("sha256", ">", afterSha ?? "")
    .orderBy("sha256")
    .limit(batchSize)
    .execute();
  if (page.length === 0) return { scanned: 0, queued: 0, lastSha: null };
  const shas = page.map((p) => p.sha256);
  const result = await sql`
    INSERT INTO purge_blob_candidates (sha256)
    SELECT b.sha256 FROM blobs b
    WHERE b.sha256 = ANY(${shas}::text[]) AND b.created_at < ${olderThan}
      AND NOT ${isReferencedSql(refs, sql`b.sha256`)}
    ON CONFLICT DO NOTHING`.execute(db);
  return { scanned: page.length, queued: Number(result.numAffectedRows ?? 0), lastSha: shas.at(-1) ?? null };
}

/** Read-only counterpart for dry runs: how many rows the sweep would find, and their sizes. */
export async function countUnreferencedBlobRows(
  db: Db,
  refs: readonly TBlobReference[],
  olderThan: Date,
): Promise<{ rows: number; originalBytes: number; storedBytes: number }> {
  const { rows } = await sql<{ n: number; size: number; stored: number }>`
    SELECT count(*)::bigint AS n, coalesce(sum(b.size), 0)::bigint AS size, coalesce(sum(b.stored_size), 0)::bigint AS stored
    FROM blobs b WHERE b.created_at < ${olderThan} AND NOT ${isReferencedSql(refs, sql`b.sha256`)}`.execute(
    db,
  );
  return { rows: rows[0]?.n ?? 0, originalBytes: rows[0]?.size ?? 0, storedBytes: rows[0]?.stored ?? 0 };
}

function isForeignKeyViolation(e: unknown): boolean {
  return typeof e === "object" && e !== null && (e as { code?: string }).code === "23503";
}
