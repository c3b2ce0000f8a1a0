import { type Kysely, sql } from "kysely";

/**
 * What the archive engine needs beyond the core schema:
 *
 * - `sync_cursors.is_reconciling`: the running delta round of this scope started from nothing (first full
 *   round, or a restart after a stale delta token), so when it reaches its deltaLink, every current row of
 *   the scope that the round did not see is closed. Stored with the cursor so a crash mid-round resumes as a
 *   reconciliation round.
 * - `sync_seen`: the ids a reconciliation round has seen so far, written in the same transaction as each
 *   page and its checkpoint, so "seen" survives a crash mid-round; emptied when the round completes.
 * - `mailbox_sync_state`: one row per mailbox and data type: the observation time of the latest run (runs
 *   stamp all their changes with one time, and a new run's time is strictly later) and the outcome of the
 *   last run, for the CLI and the portal's sync overview.
 * - `item_versions.sort_subject` / `sort_sender` + indexes: the portal lists folders of 100,000+ messages
 *   sorted by date, sender, subject or size with keyset pagination; each order needs an index that starts
 *   with (mailbox, folder). Denormalised from `contents` (written once per version, never updated).
 * - `item_versions_history`: one item's versions (move detection, Full View, item history).
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  await sql`ALTER TABLE sync_cursors ADD COLUMN is_reconciling boolean NOT NULL DEFAULT false`.execute(db);

  await sql`
    CREATE TABLE sync_seen (
      mailbox_id uuid NOT NULL REFERENCES mailboxes (id) ON DELETE CASCADE,
      data_type text NOT NULL CHECK (data_type IN ('mail', 'calendar', 'contacts', 'tasks', 'notes')),
      scope text NOT NULL,
      graph_id text NOT NULL,
      PRIMARY KEY (mailbox_id, data_type, scope, graph_id)
    )`.execute(db);

  await sql`
    CREATE TABLE mailbox_sync_state (
      mailbox_id uuid NOT NULL REFERENCES mailboxes (id) ON DELETE CASCADE,
      data_type text NOT NULL CHECK (data_type IN ('mail', 'calendar', 'contacts', 'tasks', 'notes')),
      observed_at timestamptz NOT NULL,
      status text NOT NULL CHECK (status IN ('running', 'success', 'error')),
      started_at timestamptz NOT NULL,
      finished_at timestamptz,
      last_success_at timestamptz,
      error text,
      items_added integer NOT NULL DEFAULT 0,
      items_changed integer NOT NULL DEFAULT 0,
      items_removed integer NOT NULL DEFAULT 0,
      skips integer NOT NULL DEFAULT 0,
      requests integer NOT NULL DEFAULT 0,
      throttled integer NOT NULL DEFAULT 0,
      PRIMARY KEY (mailbox_id, data_type)
    )`.execute(db);

  await sql`ALTER TABLE item_versions
    ADD COLUMN sort_subject text NOT NULL DEFAULT '',
    ADD COLUMN sort_sender text NOT NULL DEFAULT ''`.execute(db);
  await sql`CREATE INDEX item_versions_folder_subject ON item_versions (mailbox_id, folder_graph_id, sort_subject, id)`.execute(
    db,
  );
  await sql`CREATE INDEX item_versions_folder_sender ON item_versions (mailbox_id, folder_graph_id, sort_sender, id)`.execute(
    db,
  );
  await sql`CREATE INDEX item_versions_folder_size ON item_versions (mailbox_id, folder_graph_id, size, id)`.execute(
    db,
  );
  await sql`CREATE INDEX item_versions_history ON item_versions (mailbox_id, data_type, graph_id, valid_from)`.execute(
    db,
  );
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await sql`DROP INDEX IF EXISTS item_versions_history`.execute(db);
  await sql`DROP INDEX IF EXISTS item_versions_folder_size`.execute(db);
  await sql`DROP INDEX IF EXISTS item_versions_folder_sender`.execute(db);
  await sql`DROP INDEX IF EXISTS item_versions_folder_subject`.execute(db);
  await sql`ALTER TABLE item_versions DROP COLUMN IF EXISTS sort_sender, DROP COLUMN IF EXISTS sort_subject`.execute(
    db,
  );
  await sql`DROP TABLE IF EXISTS mailbox_sync_state`.execute(db);
  await sql`DROP TABLE IF EXISTS sync_seen`.execute(db);
  await sql`ALTER TABLE sync_cursors DROP COLUMN IF EXISTS is_reconciling`.execute(db);
}
