import { sql, type Transaction } from "kysely";
import type { Db } from "../client";
import type { TExpiryRule } from "../retention/expiry";
import type { DataType, DB } from "../schema";
import type { TVersionPartRef } from "./references";

/**
 * The history phase of the purge: deletes expired item and folder versions (retention/expiry.ts has the
 * rule), one mailbox and data type at a time, in batches of at most `batchSize` versions per transaction.
 *
 * Each batch transaction first locks the mailbox row (FOR NO KEY UPDATE: sync inserts, which only take a
 * key-share lock for their foreign key, are not blocked) and checks for a legal hold under that lock;
 * placing a hold takes a share lock on the same row (retention/holds.ts), so the two never overlap and a
 * hold placed before a batch is always seen by it. The sha256 of every deleted version is queued in
 * `purge_blob_candidates` in the same transaction, so a kill right after a batch loses no blob to check.
 */

export type THistoryBatch = {
  dataType: DataType;
  mailboxId: string;
  versions: number;
  /** Items that left the archive entirely with this batch. */
  items: number;
  folders: number;
  cursorsReset: number;
};

export type TMailboxWork = { id: string; upn: string; isHeld: boolean };

/** Mailboxes (by id, after `afterId`) with something expired under the rule, held ones flagged. */
export async function mailboxesWithExpired(
  db: Db,
  rule: TExpiryRule,
  afterId: string | null,
  limit: number,
): Promise<TMailboxWork[]> {
  const cutoff = rule.cutoff ? rule.cutoff.toISOString() : "infinity";
  const isOff = rule.cutoff === null;
  const { rows } = await sql<{ id: string; upn: string; is_held: boolean }>`
    SELECT m.id, m.upn,
      EXISTS (SELECT 1 FROM legal_holds h WHERE h.mailbox_id = m.id AND h.released_at IS NULL) AS is_held
    FROM mailboxes m
    WHERE (${afterId}::uuid IS NULL OR m.id > ${afterId}::uuid)
      AND (
        EXISTS (SELECT 1 FROM item_versions v WHERE v.mailbox_id = m.id AND v.data_type = ${rule.dataType}
          AND coalesce(v.valid_to, v.received_at, v.valid_from) < ${cutoff}::timestamptz)
        OR EXISTS (SELECT 1 FROM folder_versions f WHERE f.mailbox_id = m.id AND f.data_type = ${rule.dataType}
          AND (${isOff} OR f.valid_to < ${cutoff}::timestamptz))
        OR (${isOff} AND EXISTS (SELECT 1 FROM sync_cursors c WHERE c.mailbox_id = m.id AND c.data_type = ${rule.dataType}))
      )
    ORDER BY m.id
    LIMIT ${limit}`.execute(db);
  return rows.map((r) => ({ id: r.id, upn: r.upn, isHeld: r.is_held }));
}

/**
 * One batch for one mailbox: item versions first, then (when none are left) folder versions, then (type
 * off, nothing left) the sync state. Returns null when the mailbox is on hold (checked under the lock), or
 * a batch with all counts 0 when nothing is left to do.
 */
export async function purgeMailboxBatch(
  db: Db,
  rule: TExpiryRule,
  mailboxId: string,
  batchSize: number,
  parts: readonly TVersionPartRef[] = [],
): Promise<THistoryBatch | null> {
  return db.transaction().execute(async (trx) => {
    const locked = await trx
      .selectFrom("mailboxes")
      .select("id")
      .where("id", "=", mailboxId)
      .forNoKeyUpdate()
      .executeTakeFirst();
    if (!locked) return empty(rule.dataType, mailboxId);
    const hold = await trx
      .selectFrom("legal_holds")
      .select("id")
      .where("mailbox_id", "=", mailboxId)
      .where("released_at", "is", null)
      .executeTakeFirst();
    if (hold) return null;

    const items = await deleteItemVersions(trx, rule, mailboxId, batchSize, parts);
    if (items.versions > 0) return { ...empty(rule.dataType, mailboxId), ...items };
    const folders = await deleteFolderVersions(trx, rule, mailboxId, batchSize);
    if (folders > 0) return { ...empty(rule.dataType, mailboxId), folders };
    if (rule.cutoff === null) {
      // Type off and its data gone: forget the sync state, so turning it on again starts a full sync.
      await trx
        .deleteFrom("sync_seen")
        .where("mailbox_id", "=", mailboxId)
        .where("data_type", "=", rule.dataType)
        .execute();
      await trx
        .deleteFrom("item_skips")
        .where("mailbox_id", "=", mailboxId)
        .where("data_type", "=", rule.dataType)
        .execute();
      const cursors = await trx
        .deleteFrom("sync_cursors")
        .where("mailbox_id", "=", mailboxId)
        .where("data_type", "=", rule.dataType)
        .executeTakeFirst();
      return { ...empty(rule.dataType, mailboxId), cursorsReset: Number(cursors.numDeletedRows) };
    }
    return empty(rule.dataType, mailboxId);
  });
}

function empty(dataType: DataType, mailboxId: string): THistoryBatch {
  return { dataType, mailboxId, versions: 0, items: 0, folders: 0, cursorsReset: 0 };
}

async function deleteItemVersions(
  trx: Transaction<DB>,
  rule: TExpiryRule,
  mailboxId: string,
  batchSize: number,
  parts: readonly TVersionPartRef[],
): Promise<{ versions: number; items: number }> {
  const cutoff = rule.cutoff ? rule.cutoff.toISOString() : "infinity";
  // hit: the oldest expired versions (index item_versions_expiry); a current one among them takes the
  // item's older versions with it (the item leaves the archive as a whole, see retention/expiry.ts).
  const { rows: doomed } = await sql<{ id: number }>`
    WITH hit AS (
      SELECT id, graph_id, valid_to FROM item_versions
      WHERE mailbox_id = ${mailboxId} AND data_type = ${rule.dataType}
        AND coalesce(valid_to, received_at, valid_from) < ${cutoff}::timestamptz
      ORDER BY coalesce(valid_to, received_at, valid_from), id
      LIMIT ${batchSize}
    )
    SELECT id FROM hit
    UNION
    SELECT v.id FROM hit JOIN item_versions v ON v.mailbox_id = ${mailboxId} AND v.data_type = ${rule.dataType}
      AND v.graph_id = hit.graph_id
    WHERE hit.valid_to IS NULL`.execute(trx);
  if (doomed.length === 0) return { versions: 0, items: 0 };
  const ids = doomed.map((d) => d.id);
  // Parts (attachments) go with their version by cascade: queue their blobs first.
  for (const p of parts) {
    await sql`
      INSERT INTO purge_blob_candidates (sha256)
      SELECT DISTINCT ${sql.ref(p.blobColumn)} FROM ${sql.raw(p.table)}
      WHERE ${sql.ref(p.versionColumn)} = ANY(${ids}::bigint[])
      ON CONFLICT DO NOTHING`.execute(trx);
  }
  const { rows } = await sql<{ versions: number; items: number }>`
    WITH del AS (
      DELETE FROM item_versions WHERE id = ANY(${ids}::bigint[])
      RETURNING id, graph_id, sha256
    ),
    queued AS (
      INSERT INTO purge_blob_candidates (sha256) SELECT DISTINCT sha256 FROM del ON CONFLICT DO NOTHING
    )
    SELECT count(*)::bigint AS versions,
      count(DISTINCT graph_id) FILTER (WHERE NOT EXISTS (
        SELECT 1 FROM item_versions x WHERE x.mailbox_id = ${mailboxId} AND x.data_type = ${rule.dataType}
          AND x.graph_id = del.graph_id AND x.id <> ALL(${ids}::bigint[])))::bigint AS items
    FROM del`.execute(trx);
  return { versions: rows[0]?.versions ?? 0, items: rows[0]?.items ?? 0 };
}

async function deleteFolderVersions(
  trx: Transaction<DB>,
  rule: TExpiryRule,
  mailboxId: string,
  batchSize: number,
): Promise<number> {
  const condition =
    rule.cutoff === null ? sql`true` : sql`valid_to < ${rule.cutoff.toISOString()}::timestamptz`;
  const result = await sql`
    DELETE FROM folder_versions WHERE id IN (
      SELECT id FROM folder_versions
      WHERE mailbox_id = ${mailboxId} AND data_type = ${rule.dataType} AND ${condition}
      LIMIT ${batchSize})`.execute(trx);
  return Number(result.numAffectedRows ?? 0);
}
