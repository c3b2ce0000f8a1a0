import { type Kysely, sql } from "kysely";

/**
 * Calendar, contacts, tasks and notes (issue 7):
 *
 * - `item_parts`: content that belongs to one archived item version besides its original JSON — the file
 *   attachments of To Do tasks (bytes in the blob store). Keyed by the version (cascade: a purged or
 *   collapsed version takes its parts), with a foreign key to `blobs`, so the purge's reference catalog sees
 *   the attachment bytes as referenced (`db/src/purge/references.ts`).
 * - `item_versions_pim_at`: point-in-time listings of one container (calendar, contact folder, task list) by
 *   data type, for the portal's calendar, contacts, tasks and notes sections.
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  await sql`
    CREATE TABLE item_parts (
      item_version_id bigint NOT NULL REFERENCES item_versions (id) ON DELETE CASCADE,
      part_id text NOT NULL,
      kind text NOT NULL CHECK (kind IN ('attachment')),
      name text NOT NULL DEFAULT '',
      content_type text NOT NULL DEFAULT 'application/octet-stream',
      size bigint NOT NULL,
      sha256 text NOT NULL REFERENCES blobs (sha256),
      last_modified_at timestamptz,
      PRIMARY KEY (item_version_id, part_id)
    )`.execute(db);
  await sql`CREATE INDEX item_parts_sha256 ON item_parts (sha256)`.execute(db);
  await sql`CREATE INDEX item_versions_pim_at ON item_versions (mailbox_id, data_type, folder_graph_id, valid_from)
    WHERE data_type <> 'mail'`.execute(db);
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await sql`DROP INDEX IF EXISTS item_versions_pim_at`.execute(db);
  await sql`DROP TABLE IF EXISTS item_parts`.execute(db);
}
