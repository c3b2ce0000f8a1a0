import type { ColumnType, InsertType, Selectable, SelectType } from "kysely";

/**
 * The Kysely types of the database, written by hand from the migrations in `migrations/`.
 *
 * Two guards keep this file honest:
 * - `schemaColumns` below must list exactly the tables and columns of `DB`, and its per-column facts
 *   (Postgres type, nullability, default) must agree with the TypeScript types — checked by `tsc`;
 * - `schema.integration.test.ts` compares `schemaColumns` with `information_schema` of a freshly migrated
 *   database, so a migration that adds or changes a column fails the tests until this file follows.
 *
 * Value conventions (what pg actually returns, see client.ts):
 * - `timestamptz` → `Date` on select; a `Date` or an RFC 3339 string on insert/update.
 * - `bigint` → `number` (client.ts installs an int8 parser; sizes and counters stay below 2^53).
 * - `text[]` → `string[]`; `time` → `"HH:MM:SS"` string; `tsvector` → its text form.
 * - `jsonb` objects → records. jsonb *arrays* are inserted as JSON text (`JSON.stringify`), because pg would
 *   send a JS array as a Postgres array literal, which jsonb rejects.
 */

/** Like Kysely's `Generated`, but unwraps a `ColumnType` so `Generated<Timestamp>` keeps Date/string. */
export type Generated<T> =
  T extends ColumnType<infer S, infer I, infer U>
    ? ColumnType<S, I | undefined, U>
    : ColumnType<T, T | undefined, T>;

export type Timestamp = ColumnType<Date, Date | string, Date | string>;
export type JsonObject = Record<string, unknown>;
export type Jsonb<T extends JsonObject = JsonObject> = ColumnType<T, T | string, T | string>;
export type JsonbArray<T> = ColumnType<T[], string, string>;

export const DATA_TYPES = ["mail", "calendar", "contacts", "tasks", "notes"] as const;
export type DataType = (typeof DATA_TYPES)[number];

export const MAILBOX_KINDS = ["user", "shared", "room", "equipment", "linked", "other"] as const;
export type MailboxKind = (typeof MAILBOX_KINDS)[number];

export const TASK_TYPES = [
  "folder_replication",
  "calendar_replication",
  "storage_management",
  "managed_folders",
  "permissions_sync",
] as const;
export type TaskType = (typeof TASK_TYPES)[number];

export const TASK_TARGET_KINDS = [
  "group_lookup",
  "group_dn",
  "group_email",
  "mailbox",
  "mailbox_list",
  "all_licensed",
] as const;
export type TaskTargetKind = (typeof TASK_TARGET_KINDS)[number];

export type TaskStatus = "unknown" | "scheduled" | "running";
export type RunResult = "success" | "warning" | "error";
export type RunStatus = "running" | RunResult;
export type RunMailboxStatus = RunStatus | "skipped";
export type RunTrigger = "schedule" | "manual" | "startup";
export type LogLevel = "info" | "warning" | "error";
export type DelegateSource = "manual" | "full_access" | "send_as" | "calendar";
export type JobStatus = "queued" | "running" | "completed" | "failed" | "abandoned";
export type SyncPhase = "recent" | "full";

/** One entry of `task_run_mailboxes.skips`. */
export type TRunSkip = { graphId: string; reason: string; detail?: string };
/** One produced file of an export job (`export_jobs.files`). */
export type TExportFile = { name: string; size: number; sha256?: string };

export interface MailboxesTable {
  id: Generated<string>;
  entra_id: string;
  upn: string;
  display_name: Generated<string>;
  mail: string | null;
  kind: Generated<MailboxKind>;
  account_enabled: Generated<boolean>;
  licensed: Generated<boolean>;
  has_mailbox: Generated<boolean>;
  deprovisioned_at: Timestamp | null;
  deprovisioned_by: string | null;
  first_seen_at: Generated<Timestamp>;
  last_seen_at: Generated<Timestamp>;
  created_at: Generated<Timestamp>;
  updated_at: Generated<Timestamp>;
}

export interface LegalHoldsTable {
  id: Generated<string>;
  mailbox_id: string;
  reason: string;
  created_by: string;
  created_at: Generated<Timestamp>;
  released_at: Timestamp | null;
  released_by: string | null;
}

export interface RetentionPoliciesTable {
  id: Generated<string>;
  name: string;
  is_default: Generated<boolean>;
  priority: Generated<number>;
  created_at: Generated<Timestamp>;
  updated_at: Generated<Timestamp>;
  updated_by: string | null;
}

export interface RetentionRulesTable {
  policy_id: string;
  data_type: DataType;
  sync_enabled: Generated<boolean>;
  retention_days: Generated<number>;
}

export interface BlobsTable {
  sha256: string;
  size: number;
  stored_size: number;
  storage_key: string;
  key_id: string;
  created_at: Generated<Timestamp>;
}

export interface ContentsTable {
  sha256: string;
  data_type: DataType;
  title: Generated<string>;
  internet_message_id: string | null;
  conversation_id: string | null;
  from_address: string | null;
  from_name: string | null;
  to_addresses: Generated<string[]>;
  cc_addresses: Generated<string[]>;
  bcc_addresses: Generated<string[]>;
  sent_at: Timestamp | null;
  has_attachments: Generated<boolean>;
  attachment_names: Generated<string[]>;
  body_text: Generated<string>;
  meta: Generated<Jsonb>;
  parse_error: string | null;
  search: Generated<string>;
  created_at: Generated<Timestamp>;
}

export interface FolderVersionsTable {
  id: Generated<number>;
  mailbox_id: string;
  data_type: DataType;
  graph_id: string;
  parent_graph_id: string | null;
  display_name: string;
  well_known_name: string | null;
  is_hidden: Generated<boolean>;
  meta: Generated<Jsonb>;
  valid_from: Timestamp;
  valid_to: Timestamp | null;
}

export interface ItemVersionsTable {
  id: Generated<number>;
  mailbox_id: string;
  data_type: DataType;
  graph_id: string;
  folder_graph_id: string;
  sha256: string;
  change_key: string | null;
  size: number;
  received_at: Timestamp | null;
  is_read: boolean | null;
  categories: Generated<string[]>;
  meta: Generated<Jsonb>;
  valid_from: Timestamp;
  valid_to: Timestamp | null;
  /** Denormalised sort keys for folder listings (migration 0201). */
  sort_subject: Generated<string>;
  sort_sender: Generated<string>;
}

export interface SyncCursorsTable {
  mailbox_id: string;
  data_type: DataType;
  scope: string;
  phase: Generated<SyncPhase>;
  next_link: string | null;
  delta_link: string | null;
  updated_at: Generated<Timestamp>;
  is_reconciling: Generated<boolean>;
}

/** Ids a reconciliation delta round has seen so far (migration 0201). */
export interface SyncSeenTable {
  mailbox_id: string;
  data_type: DataType;
  scope: string;
  graph_id: string;
}

/** The latest sync run of a mailbox per data type (migration 0201). */
export interface MailboxSyncStateTable {
  mailbox_id: string;
  data_type: DataType;
  observed_at: Timestamp;
  status: "running" | "success" | "error";
  started_at: Timestamp;
  finished_at: Timestamp | null;
  last_success_at: Timestamp | null;
  error: string | null;
  items_added: Generated<number>;
  items_changed: Generated<number>;
  items_removed: Generated<number>;
  skips: Generated<number>;
  requests: Generated<number>;
  throttled: Generated<number>;
}

export interface ItemSkipsTable {
  id: Generated<number>;
  mailbox_id: string;
  data_type: string;
  graph_id: string;
  reason: string;
  detail: string | null;
  task_run_id: string | null;
  created_at: Generated<Timestamp>;
}

export interface SitesTable {
  id: Generated<string>;
  name: string;
  description: Generated<string>;
  last_heartbeat_at: Timestamp | null;
  version: string | null;
  hostname: string | null;
  created_at: Generated<Timestamp>;
}

export interface SchedulesTable {
  id: Generated<string>;
  name: string;
  kind: "cron" | "interval";
  cron: string | null;
  interval_minutes: number | null;
  time_zone: Generated<string>;
  window_start: string | null;
  window_end: string | null;
  created_at: Generated<Timestamp>;
  updated_at: Generated<Timestamp>;
  updated_by: string | null;
}

export interface DefinitionsTable {
  id: Generated<string>;
  type: TaskType;
  name: string;
  version: Generated<number>;
  settings: Generated<Jsonb>;
  created_at: Generated<Timestamp>;
  updated_at: Generated<Timestamp>;
  updated_by: string | null;
}

export interface DefinitionVersionsTable {
  definition_id: string;
  version: number;
  settings: Jsonb;
  created_at: Generated<Timestamp>;
  created_by: string | null;
}

export interface TasksTable {
  id: Generated<string>;
  name: string;
  site_id: string;
  schedule_id: string;
  definition_id: string;
  type: TaskType;
  target_kind: TaskTargetKind;
  target_value: Generated<string>;
  target_group_id: string | null;
  status: Generated<TaskStatus>;
  command: string | null;
  latest_detail: string | null;
  sequence: Generated<number>;
  last_result: RunResult | null;
  last_result_message: string | null;
  last_run_at: Timestamp | null;
  next_run_at: Timestamp | null;
  config_version: Generated<number>;
  created_at: Generated<Timestamp>;
  created_by: Generated<string>;
  updated_at: Generated<Timestamp>;
  updated_by: Generated<string>;
}

export interface TaskRunsTable {
  id: Generated<string>;
  task_id: string;
  trigger: Generated<RunTrigger>;
  status: Generated<RunStatus>;
  message: string | null;
  worker_id: string | null;
  definition_version: number | null;
  mailboxes_total: Generated<number>;
  mailboxes_done: Generated<number>;
  items_added: Generated<number>;
  items_changed: Generated<number>;
  items_removed: Generated<number>;
  errors: Generated<number>;
  skips: Generated<number>;
  started_at: Generated<Timestamp>;
  heartbeat_at: Generated<Timestamp>;
  finished_at: Timestamp | null;
}

export interface TaskRunMailboxesTable {
  id: Generated<number>;
  run_id: string;
  mailbox_id: string | null;
  upn: string;
  status: RunMailboxStatus;
  message: string | null;
  items_added: Generated<number>;
  items_changed: Generated<number>;
  items_removed: Generated<number>;
  errors: Generated<number>;
  skips: Generated<JsonbArray<TRunSkip>>;
  requests: Generated<number>;
  throttled: Generated<number>;
  started_at: Generated<Timestamp>;
  finished_at: Timestamp | null;
}

export interface TaskRunLogsTable {
  id: Generated<number>;
  run_id: string;
  at: Generated<Timestamp>;
  level: LogLevel;
  mailbox_upn: string | null;
  message: string;
}

export interface DelegatesTable {
  id: Generated<string>;
  mailbox_id: string;
  delegate_entra_id: string;
  delegate_upn: string;
  source: DelegateSource;
  rights: Generated<string>;
  created_at: Generated<Timestamp>;
  synced_at: Generated<Timestamp>;
}

export interface ExportJobsTable {
  id: Generated<string>;
  name: string;
  reason: Generated<string>;
  format: Generated<"pst">;
  split_size_bytes: Generated<number>;
  notify_emails: string[];
  mailbox_id: string;
  snapshot_at: Timestamp;
  selection: Generated<Jsonb>;
  status: Generated<JobStatus>;
  error: string | null;
  files: Generated<JsonbArray<TExportFile>>;
  created_by: string;
  created_at: Generated<Timestamp>;
  started_at: Timestamp | null;
  finished_at: Timestamp | null;
  abandoned_at: Timestamp | null;
}

export interface RestoreJobsTable {
  id: Generated<string>;
  name: string;
  reason: Generated<string>;
  mailbox_id: string;
  snapshot_at: Timestamp;
  all_data: Generated<boolean>;
  range_from: Timestamp | null;
  range_to: Timestamp | null;
  target_mailbox_id: string;
  notify_emails: string[];
  target_confirmed: boolean;
  selection: Generated<Jsonb>;
  status: Generated<JobStatus>;
  error: string | null;
  items_total: Generated<number>;
  items_restored: Generated<number>;
  items_failed: Generated<number>;
  created_by: string;
  created_at: Generated<Timestamp>;
  started_at: Timestamp | null;
  finished_at: Timestamp | null;
}

export interface AuditLogTable {
  id: Generated<number>;
  at: Generated<Timestamp>;
  actor_entra_id: string | null;
  actor_upn: string;
  action: string;
  mailbox_id: string | null;
  target: string | null;
  detail: Generated<Jsonb>;
  ip: string | null;
  user_agent: string | null;
}

/** Counters of a purge run (`purge_runs.counts`), kept up to date while it runs (migration 0501). */
export type TPurgeRunCounts = Record<string, number>;

/** One applied purge (migration 0501); dry runs record nothing. */
export interface PurgeRunsTable {
  id: Generated<string>;
  trigger: Generated<"schedule" | "manual" | "policy_change">;
  requested_by: Generated<string>;
  status: Generated<"running" | "completed" | "failed" | "interrupted">;
  phase: Generated<"history" | "blobs" | "objects" | "sweep" | "done">;
  rules: Generated<Jsonb>;
  counts: Generated<Jsonb<TPurgeRunCounts>>;
  error: string | null;
  started_at: Generated<Timestamp>;
  heartbeat_at: Generated<Timestamp>;
  finished_at: Timestamp | null;
}

/** Content whose last reference a purge deleted; checked and removed by the blob phase (migration 0501). */
export interface PurgeBlobCandidatesTable {
  sha256: string;
  queued_at: Generated<Timestamp>;
}

/** Blob objects whose rows are gone, removed once unused for the grace period (migration 0501). */
export interface PurgePendingObjectsTable {
  storage_key: string;
  sha256: string;
  size: number;
  stored_size: number;
  queued_at: Generated<Timestamp>;
  deferred_at: Timestamp | null;
}

/** When a blob pack last lost a reference (migration 0102; db/src/purge/packs.ts). */
export interface BlobPacksTable {
  pack_id: string;
  released_at: Generated<Timestamp>;
}

/** Parts of an archived item version besides its original bytes: To Do task attachments (migration 0401). */
export interface ItemPartsTable {
  item_version_id: number;
  part_id: string;
  kind: "attachment";
  name: Generated<string>;
  content_type: Generated<string>;
  size: number;
  sha256: string;
  last_modified_at: Timestamp | null;
}

export interface DB {
  mailboxes: MailboxesTable;
  legal_holds: LegalHoldsTable;
  retention_policies: RetentionPoliciesTable;
  retention_rules: RetentionRulesTable;
  blobs: BlobsTable;
  contents: ContentsTable;
  folder_versions: FolderVersionsTable;
  item_versions: ItemVersionsTable;
  sync_cursors: SyncCursorsTable;
  sync_seen: SyncSeenTable;
  mailbox_sync_state: MailboxSyncStateTable;
  item_skips: ItemSkipsTable;
  sites: SitesTable;
  schedules: SchedulesTable;
  definitions: DefinitionsTable;
  definition_versions: DefinitionVersionsTable;
  tasks: TasksTable;
  task_runs: TaskRunsTable;
  task_run_mailboxes: TaskRunMailboxesTable;
  task_run_logs: TaskRunLogsTable;
  delegates: DelegatesTable;
  export_jobs: ExportJobsTable;
  restore_jobs: RestoreJobsTable;
  audit_log: AuditLogTable;
  purge_runs: PurgeRunsTable;
  purge_blob_candidates: PurgeBlobCandidatesTable;
  purge_pending_objects: PurgePendingObjectsTable;
  item_parts: ItemPartsTable;
  blob_packs: BlobPacksTable;
}

// Row types as selected, for callers that map rows to their own types.
export type MailboxRow = Selectable<MailboxesTable>;
export type LegalHoldRow = Selectable<LegalHoldsTable>;
export type RetentionPolicyRow = Selectable<RetentionPoliciesTable>;
export type RetentionRuleRow = Selectable<RetentionRulesTable>;
export type BlobRow = Selectable<BlobsTable>;
export type ContentRow = Selectable<ContentsTable>;
export type FolderVersionRow = Selectable<FolderVersionsTable>;
export type ItemVersionRow = Selectable<ItemVersionsTable>;
export type SiteRow = Selectable<SitesTable>;
export type ScheduleRow = Selectable<SchedulesTable>;
export type DefinitionRow = Selectable<DefinitionsTable>;
export type DefinitionVersionRow = Selectable<DefinitionVersionsTable>;
export type TaskRow = Selectable<TasksTable>;
export type TaskRunRow = Selectable<TaskRunsTable>;
export type TaskRunMailboxRow = Selectable<TaskRunMailboxesTable>;
export type TaskRunLogRow = Selectable<TaskRunLogsTable>;
export type DelegateRow = Selectable<DelegatesTable>;
export type AuditLogRow = Selectable<AuditLogTable>;
export type PurgeRunRow = Selectable<PurgeRunsTable>;

// ---- The column list that the schema test compares with the migrated database ----

/** The Postgres type names (`information_schema.columns.udt_name`) a TypeScript select type may map to. */
type PgTypeOf<T> = [T] extends [Date]
  ? "timestamptz"
  : [T] extends [boolean]
    ? "bool"
    : [T] extends [number]
      ? "int4" | "int8"
      : [T] extends [string[]]
        ? "_text"
        : [T] extends [string]
          ? "text" | "uuid" | "tsvector" | "time"
          : "jsonb";

export type ColumnSpec<C> = {
  type: PgTypeOf<NonNullable<SelectType<C>>>;
  nullable: null extends SelectType<C> ? true : false;
  hasDefault: undefined extends InsertType<C> ? true : false;
};

/** Exactly the tables and columns of `DB`; `tsc` rejects a missing or extra entry or a mismatched fact. */
export type SchemaSpec = { [T in keyof DB]: { [C in keyof DB[T]]-?: ColumnSpec<DB[T][C]> } };

const uuidPk = { type: "uuid", nullable: false, hasDefault: true } as const;
const serialPk = { type: "int8", nullable: false, hasDefault: true } as const;
const uuid = { type: "uuid", nullable: false, hasDefault: false } as const;
const uuidNull = { type: "uuid", nullable: true, hasDefault: false } as const;
const text = { type: "text", nullable: false, hasDefault: false } as const;
const textDefault = { type: "text", nullable: false, hasDefault: true } as const;
const textNull = { type: "text", nullable: true, hasDefault: false } as const;
const bool = { type: "bool", nullable: false, hasDefault: false } as const;
const boolDefault = { type: "bool", nullable: false, hasDefault: true } as const;
const boolNull = { type: "bool", nullable: true, hasDefault: false } as const;
const int4 = { type: "int4", nullable: false, hasDefault: false } as const;
const int4Default = { type: "int4", nullable: false, hasDefault: true } as const;
const int4Null = { type: "int4", nullable: true, hasDefault: false } as const;
const int8 = { type: "int8", nullable: false, hasDefault: false } as const;
const int8Default = { type: "int8", nullable: false, hasDefault: true } as const;
const ts = { type: "timestamptz", nullable: false, hasDefault: false } as const;
const tsNow = { type: "timestamptz", nullable: false, hasDefault: true } as const;
const tsNull = { type: "timestamptz", nullable: true, hasDefault: false } as const;
const textArray = { type: "_text", nullable: false, hasDefault: false } as const;
const textArrayDefault = { type: "_text", nullable: false, hasDefault: true } as const;
const jsonb = { type: "jsonb", nullable: false, hasDefault: false } as const;
const jsonbDefault = { type: "jsonb", nullable: false, hasDefault: true } as const;
const timeNull = { type: "time", nullable: true, hasDefault: false } as const;

export const schemaColumns = {
  mailboxes: {
    id: uuidPk,
    entra_id: text,
    upn: text,
    display_name: textDefault,
    mail: textNull,
    kind: textDefault,
    account_enabled: boolDefault,
    licensed: boolDefault,
    has_mailbox: boolDefault,
    deprovisioned_at: tsNull,
    deprovisioned_by: textNull,
    first_seen_at: tsNow,
    last_seen_at: tsNow,
    created_at: tsNow,
    updated_at: tsNow,
  },
  legal_holds: {
    id: uuidPk,
    mailbox_id: uuid,
    reason: text,
    created_by: text,
    created_at: tsNow,
    released_at: tsNull,
    released_by: textNull,
  },
  retention_policies: {
    id: uuidPk,
    name: text,
    is_default: boolDefault,
    priority: int4Default,
    created_at: tsNow,
    updated_at: tsNow,
    updated_by: textNull,
  },
  retention_rules: {
    policy_id: uuid,
    data_type: text,
    sync_enabled: boolDefault,
    retention_days: int4Default,
  },
  blobs: {
    sha256: text,
    size: int8,
    stored_size: int8,
    storage_key: text,
    key_id: text,
    created_at: tsNow,
  },
  contents: {
    sha256: text,
    data_type: text,
    title: textDefault,
    internet_message_id: textNull,
    conversation_id: textNull,
    from_address: textNull,
    from_name: textNull,
    to_addresses: textArrayDefault,
    cc_addresses: textArrayDefault,
    bcc_addresses: textArrayDefault,
    sent_at: tsNull,
    has_attachments: boolDefault,
    attachment_names: textArrayDefault,
    body_text: textDefault,
    meta: jsonbDefault,
    parse_error: textNull,
    search: { type: "tsvector", nullable: false, hasDefault: true },
    created_at: tsNow,
  },
  folder_versions: {
    id: serialPk,
    mailbox_id: uuid,
    data_type: text,
    graph_id: text,
    parent_graph_id: textNull,
    display_name: text,
    well_known_name: textNull,
    is_hidden: boolDefault,
    meta: jsonbDefault,
    valid_from: ts,
    valid_to: tsNull,
  },
  item_versions: {
    id: serialPk,
    mailbox_id: uuid,
    data_type: text,
    graph_id: text,
    folder_graph_id: text,
    sha256: text,
    change_key: textNull,
    size: int8,
    received_at: tsNull,
    is_read: boolNull,
    categories: textArrayDefault,
    meta: jsonbDefault,
    valid_from: ts,
    valid_to: tsNull,
    sort_subject: textDefault,
    sort_sender: textDefault,
  },
  sync_cursors: {
    mailbox_id: uuid,
    data_type: text,
    scope: text,
    phase: textDefault,
    next_link: textNull,
    delta_link: textNull,
    updated_at: tsNow,
    is_reconciling: boolDefault,
  },
  sync_seen: {
    mailbox_id: uuid,
    data_type: text,
    scope: text,
    graph_id: text,
  },
  mailbox_sync_state: {
    mailbox_id: uuid,
    data_type: text,
    observed_at: ts,
    status: text,
    started_at: ts,
    finished_at: tsNull,
    last_success_at: tsNull,
    error: textNull,
    items_added: int4Default,
    items_changed: int4Default,
    items_removed: int4Default,
    skips: int4Default,
    requests: int4Default,
    throttled: int4Default,
  },
  item_skips: {
    id: serialPk,
    mailbox_id: uuid,
    data_type: text,
    graph_id: text,
    reason: text,
    detail: textNull,
    task_run_id: uuidNull,
    created_at: tsNow,
  },
  sites: {
    id: uuidPk,
    name: text,
    description: textDefault,
    last_heartbeat_at: tsNull,
    version: textNull,
    hostname: textNull,
    created_at: tsNow,
  },
  schedules: {
    id: uuidPk,
    name: text,
    kind: text,
    cron: textNull,
    interval_minutes: int4Null,
    time_zone: textDefault,
    window_start: timeNull,
    window_end: timeNull,
    created_at: tsNow,
    updated_at: tsNow,
    updated_by: textNull,
  },
  definitions: {
    id: uuidPk,
    type: text,
    name: text,
    version: int4Default,
    settings: jsonbDefault,
    created_at: tsNow,
    updated_at: tsNow,
    updated_by: textNull,
  },
  definition_versions: {
    definition_id: uuid,
    version: int4,
    settings: jsonb,
    created_at: tsNow,
    created_by: textNull,
  },
  tasks: {
    id: uuidPk,
    name: text,
    site_id: uuid,
    schedule_id: uuid,
    definition_id: uuid,
    type: text,
    target_kind: text,
    target_value: textDefault,
    target_group_id: textNull,
    status: textDefault,
    command: textNull,
    latest_detail: textNull,
    sequence: int8Default,
    last_result: textNull,
    last_result_message: textNull,
    last_run_at: tsNull,
    next_run_at: tsNull,
    config_version: int4Default,
    created_at: tsNow,
    created_by: textDefault,
    updated_at: tsNow,
    updated_by: textDefault,
  },
  task_runs: {
    id: uuidPk,
    task_id: uuid,
    trigger: textDefault,
    status: textDefault,
    message: textNull,
    worker_id: textNull,
    definition_version: int4Null,
    mailboxes_total: int4Default,
    mailboxes_done: int4Default,
    items_added: int4Default,
    items_changed: int4Default,
    items_removed: int4Default,
    errors: int4Default,
    skips: int4Default,
    started_at: tsNow,
    heartbeat_at: tsNow,
    finished_at: tsNull,
  },
  task_run_mailboxes: {
    id: serialPk,
    run_id: uuid,
    mailbox_id: uuidNull,
    upn: text,
    status: text,
    message: textNull,
    items_added: int4Default,
    items_changed: int4Default,
    items_removed: int4Default,
    errors: int4Default,
    skips: jsonbDefault,
    requests: int4Default,
    throttled: int4Default,
    started_at: tsNow,
    finished_at: tsNull,
  },
  task_run_logs: {
    id: serialPk,
    run_id: uuid,
    at: tsNow,
    level: text,
    mailbox_upn: textNull,
    message: text,
  },
  delegates: {
    id: uuidPk,
    mailbox_id: uuid,
    delegate_entra_id: text,
    delegate_upn: text,
    source: text,
    rights: textDefault,
    created_at: tsNow,
    synced_at: tsNow,
  },
  export_jobs: {
    id: uuidPk,
    name: text,
    reason: textDefault,
    format: textDefault,
    split_size_bytes: int8Default,
    notify_emails: textArray,
    mailbox_id: uuid,
    snapshot_at: ts,
    selection: jsonbDefault,
    status: textDefault,
    error: textNull,
    files: jsonbDefault,
    created_by: text,
    created_at: tsNow,
    started_at: tsNull,
    finished_at: tsNull,
    abandoned_at: tsNull,
  },
  restore_jobs: {
    id: uuidPk,
    name: text,
    reason: textDefault,
    mailbox_id: uuid,
    snapshot_at: ts,
    all_data: boolDefault,
    range_from: tsNull,
    range_to: tsNull,
    target_mailbox_id: uuid,
    notify_emails: textArray,
    target_confirmed: bool,
    selection: jsonbDefault,
    status: textDefault,
    error: textNull,
    items_total: int4Default,
    items_restored: int4Default,
    items_failed: int4Default,
    created_by: text,
    created_at: tsNow,
    started_at: tsNull,
    finished_at: tsNull,
  },
  audit_log: {
    id: serialPk,
    at: tsNow,
    actor_entra_id: textNull,
    actor_upn: text,
    action: text,
    mailbox_id: uuidNull,
    target: textNull,
    detail: jsonbDefault,
    ip: textNull,
    user_agent: textNull,
  },
  purge_runs: {
    id: uuidPk,
    trigger: textDefault,
    requested_by: textDefault,
    status: textDefault,
    phase: textDefault,
    rules: jsonbDefault,
    counts: jsonbDefault,
    error: textNull,
    started_at: tsNow,
    heartbeat_at: tsNow,
    finished_at: tsNull,
  },
  purge_blob_candidates: {
    sha256: text,
    queued_at: tsNow,
  },
  purge_pending_objects: {
    storage_key: text,
    sha256: text,
    size: int8,
    stored_size: int8,
    queued_at: tsNow,
    deferred_at: tsNull,
  },
  blob_packs: {
    pack_id: uuid,
    released_at: tsNow,
  },
  item_parts: {
    item_version_id: int8,
    part_id: text,
    kind: text,
    name: textDefault,
    content_type: textDefault,
    size: int8,
    sha256: text,
    last_modified_at: tsNull,
  },
} as const satisfies SchemaSpec;
