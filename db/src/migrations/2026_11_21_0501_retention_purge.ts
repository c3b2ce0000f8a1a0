import { type Kysely, sql } from "kysely";

/**
 * What retention purging needs beyond the core schema (retention rules and legal holds are there already):
 *
 * - `item_versions_expiry`: the purge and the policy preview find a mailbox's expired versions of one data
 *   type with one index range scan. The indexed expression is the retention anchor of a version: its
 *   `valid_to` when it is closed (deleted, moved or changed: it expires that long after it stopped being
 *   the mailbox's state), else its `received_at` (mail: when it was received), else its `valid_from`.
 *   Everything expired sorts first, so a run that has little to do reads little.
 * - `folder_versions_expiry`: the same for closed folder versions (current folders never expire).
 * - `purge_runs`: one row per applied purge (not per dry run): rules and cutoffs used, progress counters,
 *   heartbeat, outcome. A run killed half-way stays `running` until the next run marks it `interrupted`.
 * - `purge_blob_candidates`: content whose last reference a purge may just have deleted; written in the
 *   same transaction as the history rows it comes from, so a kill between the history and the blob phase
 *   loses nothing. No foreign key: the blob row may be gone by the time the candidate is looked at.
 * - `purge_pending_objects`: blob objects whose rows are deleted but whose stored object is not yet (the
 *   object is removed only once it has not been used for the grace period). Written in the transaction
 *   that deletes the blob row, so an object can never be forgotten by a kill.
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  await sql`CREATE INDEX item_versions_expiry ON item_versions
    (mailbox_id, data_type, (coalesce(valid_to, received_at, valid_from)))`.execute(db);
  await sql`CREATE INDEX folder_versions_expiry ON folder_versions (mailbox_id, data_type, valid_to)
    WHERE valid_to IS NOT NULL`.execute(db);

  await sql`
    CREATE TABLE purge_runs (
      id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
      trigger text NOT NULL DEFAULT 'manual' CHECK (trigger IN ('schedule', 'manual', 'policy_change')),
      requested_by text NOT NULL DEFAULT 'system',
      status text NOT NULL DEFAULT 'running'
        CHECK (status IN ('running', 'completed', 'failed', 'interrupted')),
      phase text NOT NULL DEFAULT 'history' CHECK (phase IN ('history', 'blobs', 'objects', 'sweep', 'done')),
      rules jsonb NOT NULL DEFAULT '{}',
      counts jsonb NOT NULL DEFAULT '{}',
      error text,
      started_at timestamptz NOT NULL DEFAULT now(),
      heartbeat_at timestamptz NOT NULL DEFAULT now(),
      finished_at timestamptz
    )`.execute(db);
  await sql`CREATE INDEX purge_runs_started ON purge_runs (started_at DESC)`.execute(db);

  await sql`
    CREATE TABLE purge_blob_candidates (
      sha256 text PRIMARY KEY,
      queued_at timestamptz NOT NULL DEFAULT now()
    )`.execute(db);

  await sql`
    CREATE TABLE purge_pending_objects (
      storage_key text PRIMARY KEY,
      sha256 text NOT NULL,
      size bigint NOT NULL,
      stored_size bigint NOT NULL,
      queued_at timestamptz NOT NULL DEFAULT now(),
      deferred_at timestamptz
    )`.execute(db);
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await sql`DROP TABLE IF EXISTS purge_pending_objects`.execute(db);
  await sql`DROP TABLE IF EXISTS purge_blob_candidates`.execute(db);
  await sql`DROP TABLE IF EXISTS purge_runs`.execute(db);
  await sql`DROP INDEX IF EXISTS folder_versions_expiry`.execute(db);
  await sql`DROP INDEX IF EXISTS item_versions_expiry`.execute(db);
}
