import { type Kysely, sql } from "kysely";

/**
 * What pack files (db/src/blobs/packs.ts) need from the database:
 *
 * - `blobs_pack_key`: the rows of one pack, found by key prefix (`pack/<uuid>/…`): the purge checks that a
 *   pack is unreferenced before deleting it and moves a pack's live objects when compacting it. Partial
 *   (only packed rows) and `text_pattern_ops`, so a LIKE prefix is an index range under any collation.
 * - `blob_packs`: when a pack last lost a reference (`released_at`: the purge deleted a row pointing into
 *   it, or compaction moved its objects elsewhere). A pack is deleted only when nothing references it and
 *   that has been so for the grace period: a sync that looked a key up just before the purge deleted its
 *   row, and commits it again afterwards, keeps the pack alive (see db/src/purge/packs.ts). Packs that
 *   never lost a reference have no row.
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  await sql`CREATE INDEX blobs_pack_key ON blobs (storage_key text_pattern_ops)
    WHERE storage_key LIKE 'pack/%'`.execute(db);
  await sql`
    CREATE TABLE blob_packs (
      pack_id uuid PRIMARY KEY,
      released_at timestamptz NOT NULL DEFAULT now()
    )`.execute(db);
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await sql`DROP TABLE IF EXISTS blob_packs`.execute(db);
  await sql`DROP INDEX IF EXISTS blobs_pack_key`.execute(db);
}
