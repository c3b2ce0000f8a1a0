import { type Kysely, sql } from "kysely";

/**
 * The core schema for the whole product (archive, retention, Exchange Tasks, restore/export, delegates,
 * audit). Frozen in time: later changes go into new migrations, never edits here.
 *
 * Conventions:
 * - Archived objects and folders are type-2 history rows: `valid_from` inclusive, `valid_to` exclusive,
 *   `valid_to IS NULL` for the current version. "The mailbox at T" is
 *   `valid_from <= T AND (valid_to IS NULL OR valid_to > T)`.
 * - Content is stored once per distinct original bytes (sha256, lower-case hex); `contents` holds what was
 *   extracted from those bytes (shared by every mailbox and version that points at them).
 * - Data types are the five of the retention model: mail, calendar, contacts, tasks, notes.
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  await sql`CREATE EXTENSION IF NOT EXISTS pgcrypto`.execute(db);

  await sql`
    CREATE TABLE mailboxes (
      id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
      entra_id text NOT NULL UNIQUE,
      upn text NOT NULL,
      display_name text NOT NULL DEFAULT '',
      mail text,
      kind text NOT NULL DEFAULT 'user'
        CHECK (kind IN ('user', 'shared', 'room', 'equipment', 'linked', 'other')),
      account_enabled boolean NOT NULL DEFAULT true,
      licensed boolean NOT NULL DEFAULT true,
      has_mailbox boolean NOT NULL DEFAULT true,
      deprovisioned_at timestamptz,
      deprovisioned_by text,
      first_seen_at timestamptz NOT NULL DEFAULT now(),
      last_seen_at timestamptz NOT NULL DEFAULT now(),
      created_at timestamptz NOT NULL DEFAULT now(),
      updated_at timestamptz NOT NULL DEFAULT now()
    )`.execute(db);
  await sql`CREATE UNIQUE INDEX mailboxes_upn_lower ON mailboxes (lower(upn))`.execute(db);

  await sql`
    CREATE TABLE legal_holds (
      id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
      mailbox_id uuid NOT NULL REFERENCES mailboxes (id) ON DELETE CASCADE,
      reason text NOT NULL,
      created_by text NOT NULL,
      created_at timestamptz NOT NULL DEFAULT now(),
      released_at timestamptz,
      released_by text
    )`.execute(db);
  await sql`CREATE UNIQUE INDEX legal_holds_active ON legal_holds (mailbox_id) WHERE released_at IS NULL`.execute(
    db,
  );

  await sql`
    CREATE TABLE retention_policies (
      id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
      name text NOT NULL UNIQUE,
      is_default boolean NOT NULL DEFAULT false,
      priority integer NOT NULL DEFAULT 0,
      created_at timestamptz NOT NULL DEFAULT now(),
      updated_at timestamptz NOT NULL DEFAULT now(),
      updated_by text
    )`.execute(db);
  await sql`CREATE UNIQUE INDEX retention_policies_one_default ON retention_policies (is_default) WHERE is_default`.execute(
    db,
  );
  await sql`
    CREATE TABLE retention_rules (
      policy_id uuid NOT NULL REFERENCES retention_policies (id) ON DELETE CASCADE,
      data_type text NOT NULL CHECK (data_type IN ('mail', 'calendar', 'contacts', 'tasks', 'notes')),
      sync_enabled boolean NOT NULL DEFAULT true,
      retention_days integer NOT NULL DEFAULT 2555 CHECK (retention_days BETWEEN 1 AND 36135),
      PRIMARY KEY (policy_id, data_type)
    )`.execute(db);
  // The seed's "Default policy": every data type synced and kept 7 years (2,555 days).
  await sql`
    WITH p AS (INSERT INTO retention_policies (name, is_default) VALUES ('Default', true) RETURNING id)
    INSERT INTO retention_rules (policy_id, data_type)
    SELECT p.id, t FROM p, unnest(ARRAY['mail', 'calendar', 'contacts', 'tasks', 'notes']) AS t`.execute(db);

  await sql`
    CREATE TABLE blobs (
      sha256 text PRIMARY KEY CHECK (sha256 ~ '^[0-9a-f]{64}$'),
      size bigint NOT NULL,
      stored_size bigint NOT NULL,
      storage_key text NOT NULL,
      key_id text NOT NULL,
      created_at timestamptz NOT NULL DEFAULT now()
    )`.execute(db);

  // What was extracted from one blob; shared by all mailboxes and versions that hold the same bytes.
  await sql`
    CREATE TABLE contents (
      sha256 text PRIMARY KEY REFERENCES blobs (sha256),
      data_type text NOT NULL CHECK (data_type IN ('mail', 'calendar', 'contacts', 'tasks', 'notes')),
      title text NOT NULL DEFAULT '',
      internet_message_id text,
      conversation_id text,
      from_address text,
      from_name text,
      to_addresses text[] NOT NULL DEFAULT '{}',
      cc_addresses text[] NOT NULL DEFAULT '{}',
      bcc_addresses text[] NOT NULL DEFAULT '{}',
      sent_at timestamptz,
      has_attachments boolean NOT NULL DEFAULT false,
      attachment_names text[] NOT NULL DEFAULT '{}',
      body_text text NOT NULL DEFAULT '',
      meta jsonb NOT NULL DEFAULT '{}',
      parse_error text,
      search tsvector NOT NULL DEFAULT ''::tsvector,
      created_at timestamptz NOT NULL DEFAULT now()
    )`.execute(db);
  await sql`CREATE INDEX contents_search ON contents USING gin (search)`.execute(db);
  await sql`CREATE INDEX contents_internet_message_id ON contents (internet_message_id)`.execute(db);

  await sql`
    CREATE TABLE folder_versions (
      id bigserial PRIMARY KEY,
      mailbox_id uuid NOT NULL REFERENCES mailboxes (id) ON DELETE CASCADE,
      data_type text NOT NULL CHECK (data_type IN ('mail', 'calendar', 'contacts', 'tasks', 'notes')),
      graph_id text NOT NULL,
      parent_graph_id text,
      display_name text NOT NULL,
      well_known_name text,
      is_hidden boolean NOT NULL DEFAULT false,
      meta jsonb NOT NULL DEFAULT '{}',
      valid_from timestamptz NOT NULL,
      valid_to timestamptz,
      CHECK (valid_to IS NULL OR valid_to >= valid_from)
    )`.execute(db);
  await sql`CREATE UNIQUE INDEX folder_versions_current ON folder_versions (mailbox_id, data_type, graph_id) WHERE valid_to IS NULL`.execute(
    db,
  );
  await sql`CREATE INDEX folder_versions_at ON folder_versions (mailbox_id, data_type, valid_from)`.execute(
    db,
  );

  await sql`
    CREATE TABLE item_versions (
      id bigserial PRIMARY KEY,
      mailbox_id uuid NOT NULL REFERENCES mailboxes (id) ON DELETE CASCADE,
      data_type text NOT NULL CHECK (data_type IN ('mail', 'calendar', 'contacts', 'tasks', 'notes')),
      graph_id text NOT NULL,
      folder_graph_id text NOT NULL,
      sha256 text NOT NULL REFERENCES blobs (sha256),
      change_key text,
      size bigint NOT NULL,
      received_at timestamptz,
      is_read boolean,
      categories text[] NOT NULL DEFAULT '{}',
      meta jsonb NOT NULL DEFAULT '{}',
      valid_from timestamptz NOT NULL,
      valid_to timestamptz,
      CHECK (valid_to IS NULL OR valid_to >= valid_from)
    )`.execute(db);
  await sql`CREATE UNIQUE INDEX item_versions_current ON item_versions (mailbox_id, data_type, graph_id) WHERE valid_to IS NULL`.execute(
    db,
  );
  // Folder listings at time T, sorted by date: the portal's hot path for folders of 100,000+ messages.
  await sql`CREATE INDEX item_versions_folder_at ON item_versions (mailbox_id, folder_graph_id, received_at DESC, id)`.execute(
    db,
  );
  await sql`CREATE INDEX item_versions_mailbox_at ON item_versions (mailbox_id, data_type, valid_from)`.execute(
    db,
  );
  await sql`CREATE INDEX item_versions_sha256 ON item_versions (sha256)`.execute(db);

  // Delta checkpoints. scope is 'folders' for the hierarchy or a folder's graph id for its items.
  await sql`
    CREATE TABLE sync_cursors (
      mailbox_id uuid NOT NULL REFERENCES mailboxes (id) ON DELETE CASCADE,
      data_type text NOT NULL CHECK (data_type IN ('mail', 'calendar', 'contacts', 'tasks', 'notes')),
      scope text NOT NULL,
      phase text NOT NULL DEFAULT 'full' CHECK (phase IN ('recent', 'full')),
      next_link text,
      delta_link text,
      updated_at timestamptz NOT NULL DEFAULT now(),
      PRIMARY KEY (mailbox_id, data_type, scope)
    )`.execute(db);

  // Per-item skips: recorded with a reason, shown to admins, the mailbox goes on.
  await sql`
    CREATE TABLE item_skips (
      id bigserial PRIMARY KEY,
      mailbox_id uuid NOT NULL REFERENCES mailboxes (id) ON DELETE CASCADE,
      data_type text NOT NULL,
      graph_id text NOT NULL,
      reason text NOT NULL,
      detail text,
      task_run_id uuid,
      created_at timestamptz NOT NULL DEFAULT now()
    )`.execute(db);
  await sql`CREATE INDEX item_skips_mailbox ON item_skips (mailbox_id, created_at DESC)`.execute(db);

  // ---- Exchange Tasks (seed 004) ----
  await sql`
    CREATE TABLE sites (
      id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
      name text NOT NULL UNIQUE,
      description text NOT NULL DEFAULT '',
      last_heartbeat_at timestamptz,
      version text,
      hostname text,
      created_at timestamptz NOT NULL DEFAULT now()
    )`.execute(db);

  await sql`
    CREATE TABLE schedules (
      id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
      name text NOT NULL UNIQUE,
      kind text NOT NULL CHECK (kind IN ('cron', 'interval')),
      cron text,
      interval_minutes integer CHECK (interval_minutes IS NULL OR interval_minutes > 0),
      time_zone text NOT NULL DEFAULT 'UTC',
      window_start time,
      window_end time,
      created_at timestamptz NOT NULL DEFAULT now(),
      updated_at timestamptz NOT NULL DEFAULT now(),
      updated_by text,
      CHECK ((kind = 'cron' AND cron IS NOT NULL) OR (kind = 'interval' AND interval_minutes IS NOT NULL))
    )`.execute(db);

  await sql`
    CREATE TABLE definitions (
      id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
      type text NOT NULL CHECK (type IN ('folder_replication', 'calendar_replication', 'storage_management',
        'managed_folders', 'permissions_sync')),
      name text NOT NULL,
      version integer NOT NULL DEFAULT 1,
      settings jsonb NOT NULL DEFAULT '{}',
      created_at timestamptz NOT NULL DEFAULT now(),
      updated_at timestamptz NOT NULL DEFAULT now(),
      updated_by text,
      UNIQUE (type, name)
    )`.execute(db);
  await sql`
    CREATE TABLE definition_versions (
      definition_id uuid NOT NULL REFERENCES definitions (id) ON DELETE CASCADE,
      version integer NOT NULL,
      settings jsonb NOT NULL,
      created_at timestamptz NOT NULL DEFAULT now(),
      created_by text,
      PRIMARY KEY (definition_id, version)
    )`.execute(db);

  await sql`
    CREATE TABLE tasks (
      id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
      name text NOT NULL,
      site_id uuid NOT NULL REFERENCES sites (id),
      schedule_id uuid NOT NULL REFERENCES schedules (id),
      definition_id uuid NOT NULL REFERENCES definitions (id),
      type text NOT NULL CHECK (type IN ('folder_replication', 'calendar_replication', 'storage_management',
        'managed_folders', 'permissions_sync')),
      target_kind text NOT NULL CHECK (target_kind IN ('group_lookup', 'group_dn', 'group_email', 'mailbox',
        'mailbox_list', 'all_licensed')),
      target_value text NOT NULL DEFAULT '',
      target_group_id text,
      status text NOT NULL DEFAULT 'unknown' CHECK (status IN ('unknown', 'scheduled', 'running')),
      command text,
      latest_detail text,
      sequence bigint NOT NULL DEFAULT 0,
      last_result text CHECK (last_result IN ('success', 'warning', 'error')),
      last_result_message text,
      last_run_at timestamptz,
      next_run_at timestamptz,
      config_version integer NOT NULL DEFAULT 1,
      created_at timestamptz NOT NULL DEFAULT now(),
      created_by text NOT NULL DEFAULT 'system',
      updated_at timestamptz NOT NULL DEFAULT now(),
      updated_by text NOT NULL DEFAULT 'system'
    )`.execute(db);

  await sql`
    CREATE TABLE task_runs (
      id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
      task_id uuid NOT NULL REFERENCES tasks (id) ON DELETE CASCADE,
      trigger text NOT NULL DEFAULT 'schedule' CHECK (trigger IN ('schedule', 'manual', 'startup')),
      status text NOT NULL DEFAULT 'running' CHECK (status IN ('running', 'success', 'warning', 'error')),
      message text,
      worker_id text,
      definition_version integer,
      mailboxes_total integer NOT NULL DEFAULT 0,
      mailboxes_done integer NOT NULL DEFAULT 0,
      items_added integer NOT NULL DEFAULT 0,
      items_changed integer NOT NULL DEFAULT 0,
      items_removed integer NOT NULL DEFAULT 0,
      errors integer NOT NULL DEFAULT 0,
      skips integer NOT NULL DEFAULT 0,
      started_at timestamptz NOT NULL DEFAULT now(),
      heartbeat_at timestamptz NOT NULL DEFAULT now(),
      finished_at timestamptz
    )`.execute(db);
  await sql`CREATE INDEX task_runs_task ON task_runs (task_id, started_at DESC)`.execute(db);
  await sql`CREATE INDEX task_runs_started ON task_runs (started_at DESC)`.execute(db);

  await sql`
    CREATE TABLE task_run_mailboxes (
      id bigserial PRIMARY KEY,
      run_id uuid NOT NULL REFERENCES task_runs (id) ON DELETE CASCADE,
      mailbox_id uuid REFERENCES mailboxes (id) ON DELETE SET NULL,
      upn text NOT NULL,
      status text NOT NULL CHECK (status IN ('running', 'success', 'warning', 'error', 'skipped')),
      message text,
      items_added integer NOT NULL DEFAULT 0,
      items_changed integer NOT NULL DEFAULT 0,
      items_removed integer NOT NULL DEFAULT 0,
      errors integer NOT NULL DEFAULT 0,
      skips jsonb NOT NULL DEFAULT '[]',
      requests integer NOT NULL DEFAULT 0,
      throttled integer NOT NULL DEFAULT 0,
      started_at timestamptz NOT NULL DEFAULT now(),
      finished_at timestamptz
    )`.execute(db);
  await sql`CREATE INDEX task_run_mailboxes_run ON task_run_mailboxes (run_id, id)`.execute(db);

  await sql`
    CREATE TABLE task_run_logs (
      id bigserial PRIMARY KEY,
      run_id uuid NOT NULL REFERENCES task_runs (id) ON DELETE CASCADE,
      at timestamptz NOT NULL DEFAULT now(),
      level text NOT NULL CHECK (level IN ('info', 'warning', 'error')),
      mailbox_upn text,
      message text NOT NULL
    )`.execute(db);
  await sql`CREATE INDEX task_run_logs_run ON task_run_logs (run_id, id)`.execute(db);

  // ---- Access ----
  await sql`
    CREATE TABLE delegates (
      id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
      mailbox_id uuid NOT NULL REFERENCES mailboxes (id) ON DELETE CASCADE,
      delegate_entra_id text NOT NULL,
      delegate_upn text NOT NULL,
      source text NOT NULL CHECK (source IN ('manual', 'full_access', 'send_as', 'calendar')),
      rights text NOT NULL DEFAULT '',
      created_at timestamptz NOT NULL DEFAULT now(),
      synced_at timestamptz NOT NULL DEFAULT now(),
      UNIQUE (mailbox_id, delegate_entra_id, source)
    )`.execute(db);
  await sql`CREATE INDEX delegates_delegate ON delegates (delegate_entra_id)`.execute(db);

  // ---- Restore and export (seed 000: the audit forms) ----
  await sql`
    CREATE TABLE export_jobs (
      id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
      name text NOT NULL CHECK (length(name) > 0),
      reason text NOT NULL DEFAULT '',
      format text NOT NULL DEFAULT 'pst' CHECK (format IN ('pst')),
      split_size_bytes bigint NOT NULL DEFAULT 10737418240 CHECK (split_size_bytes > 0),
      notify_emails text[] NOT NULL CHECK (cardinality(notify_emails) > 0),
      mailbox_id uuid NOT NULL REFERENCES mailboxes (id),
      snapshot_at timestamptz NOT NULL,
      selection jsonb NOT NULL DEFAULT '{"all": true}',
      status text NOT NULL DEFAULT 'queued'
        CHECK (status IN ('queued', 'running', 'completed', 'failed', 'abandoned')),
      error text,
      files jsonb NOT NULL DEFAULT '[]',
      created_by text NOT NULL,
      created_at timestamptz NOT NULL DEFAULT now(),
      started_at timestamptz,
      finished_at timestamptz,
      abandoned_at timestamptz
    )`.execute(db);

  await sql`
    CREATE TABLE restore_jobs (
      id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
      name text NOT NULL CHECK (length(name) > 0),
      reason text NOT NULL DEFAULT '',
      mailbox_id uuid NOT NULL REFERENCES mailboxes (id),
      snapshot_at timestamptz NOT NULL,
      all_data boolean NOT NULL DEFAULT true,
      range_from timestamptz,
      range_to timestamptz,
      target_mailbox_id uuid NOT NULL REFERENCES mailboxes (id),
      notify_emails text[] NOT NULL CHECK (cardinality(notify_emails) > 0),
      target_confirmed boolean NOT NULL CHECK (target_confirmed),
      selection jsonb NOT NULL DEFAULT '{"all": true}',
      status text NOT NULL DEFAULT 'queued'
        CHECK (status IN ('queued', 'running', 'completed', 'failed', 'abandoned')),
      error text,
      items_total integer NOT NULL DEFAULT 0,
      items_restored integer NOT NULL DEFAULT 0,
      items_failed integer NOT NULL DEFAULT 0,
      created_by text NOT NULL,
      created_at timestamptz NOT NULL DEFAULT now(),
      started_at timestamptz,
      finished_at timestamptz
    )`.execute(db);

  await sql`
    CREATE TABLE audit_log (
      id bigserial PRIMARY KEY,
      at timestamptz NOT NULL DEFAULT now(),
      actor_entra_id text,
      actor_upn text NOT NULL,
      action text NOT NULL,
      mailbox_id uuid REFERENCES mailboxes (id) ON DELETE SET NULL,
      target text,
      detail jsonb NOT NULL DEFAULT '{}',
      ip text,
      user_agent text
    )`.execute(db);
  await sql`CREATE INDEX audit_log_at ON audit_log (at DESC)`.execute(db);
  await sql`CREATE INDEX audit_log_mailbox ON audit_log (mailbox_id, at DESC)`.execute(db);
}

export async function down(db: Kysely<unknown>): Promise<void> {
  for (const table of [
    "audit_log",
    "restore_jobs",
    "export_jobs",
    "delegates",
    "task_run_logs",
    "task_run_mailboxes",
    "task_runs",
    "tasks",
    "definition_versions",
    "definitions",
    "schedules",
    "sites",
    "item_skips",
    "sync_cursors",
    "item_versions",
    "folder_versions",
    "contents",
    "blobs",
    "retention_rules",
    "retention_policies",
    "legal_holds",
    "mailboxes",
  ]) {
    await sql`DROP TABLE IF EXISTS ${sql.table(table)} CASCADE`.execute(db);
  }
}
