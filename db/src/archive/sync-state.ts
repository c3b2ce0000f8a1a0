import { sql } from "kysely";
import type { DataType, SyncPhase } from "../schema";
import type { DbOrTrx } from "../transaction";

/** The scope of the folder hierarchy's delta cursor; message cursors use the folder's Graph id. */
export const FOLDERS_SCOPE = "folders";

/** A delta checkpoint, as the sync engine reads and writes it. */
export type TSyncCursor = {
  scope: string;
  phase: SyncPhase;
  /** The link that fetches the next page of the running round (null between rounds). */
  nextLink: string | null;
  /** The link that starts the next incremental round (set when a round completes). */
  deltaLink: string | null;
  /** The running round started from nothing: unseen current rows are closed when it completes. */
  isReconciling: boolean;
};

export async function getCursor(
  db: DbOrTrx,
  mailboxId: string,
  dataType: DataType,
  scope: string,
): Promise<TSyncCursor | undefined> {
  const row = await db
    .selectFrom("sync_cursors")
    .select(["scope", "phase", "next_link", "delta_link", "is_reconciling"])
    .where("mailbox_id", "=", mailboxId)
    .where("data_type", "=", dataType)
    .where("scope", "=", scope)
    .executeTakeFirst();
  return row && toCursor(row);
}

export async function listCursors(
  db: DbOrTrx,
  mailboxId: string,
  dataType: DataType,
): Promise<TSyncCursor[]> {
  const rows = await db
    .selectFrom("sync_cursors")
    .select(["scope", "phase", "next_link", "delta_link", "is_reconciling"])
    .where("mailbox_id", "=", mailboxId)
    .where("data_type", "=", dataType)
    .execute();
  return rows.map(toCursor);
}

/** Inserts or replaces a checkpoint. Call it in the transaction that applies the page it follows. */
export async function saveCursor(
  db: DbOrTrx,
  mailboxId: string,
  dataType: DataType,
  c: TSyncCursor,
): Promise<void> {
  await db
    .insertInto("sync_cursors")
    .values({
      mailbox_id: mailboxId,
      data_type: dataType,
      scope: c.scope,
      phase: c.phase,
      next_link: c.nextLink,
      delta_link: c.deltaLink,
      is_reconciling: c.isReconciling,
    })
    .onConflict((oc) =>
      oc.columns(["mailbox_id", "data_type", "scope"]).doUpdateSet({
        phase: c.phase,
        next_link: c.nextLink,
        delta_link: c.deltaLink,
        is_reconciling: c.isReconciling,
        updated_at: sql<Date>`now()`,
      }),
    )
    .execute();
}

/** Forgets a scope entirely (its folder is gone): cursor and seen-set. */
export async function deleteScope(
  db: DbOrTrx,
  mailboxId: string,
  dataType: DataType,
  scope: string,
): Promise<void> {
  await db
    .deleteFrom("sync_cursors")
    .where("mailbox_id", "=", mailboxId)
    .where("data_type", "=", dataType)
    .where("scope", "=", scope)
    .execute();
  await clearSeen(db, mailboxId, dataType, scope);
}

/** Records ids a reconciliation round has seen (idempotent: a replayed page adds nothing). */
export async function markSeen(
  db: DbOrTrx,
  mailboxId: string,
  dataType: DataType,
  scope: string,
  graphIds: readonly string[],
): Promise<void> {
  if (graphIds.length === 0) return;
  await sql`
    INSERT INTO sync_seen (mailbox_id, data_type, scope, graph_id)
    SELECT ${mailboxId}::uuid, ${dataType}, ${scope}, g FROM unnest(${[...new Set(graphIds)]}::text[]) AS g
    ON CONFLICT DO NOTHING`.execute(db);
}

export async function clearSeen(
  db: DbOrTrx,
  mailboxId: string,
  dataType: DataType,
  scope: string,
): Promise<void> {
  await db
    .deleteFrom("sync_seen")
    .where("mailbox_id", "=", mailboxId)
    .where("data_type", "=", dataType)
    .where("scope", "=", scope)
    .execute();
}

/**
 * Whether a folder has items in the archive now. A full round over a folder that has none need not record
 * what it sees: there is nothing it could find missing at the end (the first sync of every folder).
 */
export async function folderHasOpenItems(
  db: DbOrTrx,
  mailboxId: string,
  dataType: DataType,
  folderGraphId: string,
): Promise<boolean> {
  const row = await openItemsOfFolder(db, mailboxId, dataType, folderGraphId).limit(1).executeTakeFirst();
  return row !== undefined;
}

/** The ids of a folder's current items (those not closed by a move, a change or a deletion). */
export function openItemsOfFolder(db: DbOrTrx, mailboxId: string, dataType: DataType, folderGraphId: string) {
  return db
    .selectFrom("item_versions")
    .select("id")
    .where("mailbox_id", "=", mailboxId)
    .where("data_type", "=", dataType)
    .where("folder_graph_id", "=", folderGraphId)
    .where("valid_to", "is", null);
}

export type TMailboxRunOutcome = {
  status: "success" | "error";
  error?: string | null;
  added: number;
  changed: number;
  removed: number;
  skips: number;
  requests: number;
  throttled: number;
};

/**
 * Starts a run of one mailbox and returns its observation time: every change the run records is stamped
 * with it (so a message moved between two folders during the run leaves no gap in its history), and it is
 * strictly later than the previous run's, so two quick runs never share a time (which would make a
 * version opened by one and closed by the other look empty).
 */
export async function beginMailboxRun(
  db: DbOrTrx,
  mailboxId: string,
  dataType: DataType,
  now: Date = new Date(),
): Promise<Date> {
  const { rows } = await sql<{ observed_at: Date }>`
    INSERT INTO mailbox_sync_state AS s (mailbox_id, data_type, observed_at, status, started_at)
    VALUES (${mailboxId}, ${dataType}, ${now}, 'running', ${now})
    ON CONFLICT (mailbox_id, data_type) DO UPDATE SET
      observed_at = GREATEST(EXCLUDED.observed_at, s.observed_at + interval '1 millisecond'),
      status = 'running', started_at = EXCLUDED.started_at, finished_at = NULL, error = NULL
    RETURNING observed_at`.execute(db);
  return rows[0]!.observed_at;
}

export async function finishMailboxRun(
  db: DbOrTrx,
  mailboxId: string,
  dataType: DataType,
  o: TMailboxRunOutcome,
): Promise<void> {
  await sql`
    UPDATE mailbox_sync_state SET
      status = ${o.status}, finished_at = now(), error = ${o.error ?? null},
      last_success_at = CASE WHEN ${o.status} = 'success' THEN now() ELSE last_success_at END,
      items_added = ${o.added}, items_changed = ${o.changed}, items_removed = ${o.removed}, skips = ${o.skips},
      requests = ${o.requests}, throttled = ${o.throttled}
    WHERE mailbox_id = ${mailboxId} AND data_type = ${dataType}`.execute(db);
}

export type TMailboxSyncState = {
  mailboxId: string;
  observedAt: Date;
  status: "running" | "success" | "error";
  startedAt: Date;
  finishedAt: Date | null;
  lastSuccessAt: Date | null;
  error: string | null;
  added: number;
  changed: number;
  removed: number;
  skips: number;
  requests: number;
  throttled: number;
};

/** The last run of each mailbox (for the portal's sync overview). */
export async function listMailboxSyncStates(
  db: DbOrTrx,
  dataType: DataType = "mail",
  mailboxIds?: readonly string[],
): Promise<TMailboxSyncState[]> {
  if (mailboxIds && mailboxIds.length === 0) return [];
  let q = db.selectFrom("mailbox_sync_state").selectAll().where("data_type", "=", dataType);
  if (mailboxIds) q = q.where("mailbox_id", "in", [...mailboxIds]);
  const rows = await q.execute();
  return rows.map((r) => ({
    mailboxId: r.mailbox_id,
    observedAt: r.observed_at,
    status: r.status,
    startedAt: r.started_at,
    finishedAt: r.finished_at,
    lastSuccessAt: r.last_success_at,
    error: r.error,
    added: r.items_added,
    changed: r.items_changed,
    removed: r.items_removed,
    skips: r.skips,
    requests: r.requests,
    throttled: r.throttled,
  }));
}

function toCursor(r: {
  scope: string;
  phase: SyncPhase;
  next_link: string | null;
  delta_link: string | null;
  is_reconciling: boolean;
}): TSyncCursor {
  return {
    scope: r.scope,
    phase: r.phase,
    nextLink: r.next_link,
    deltaLink: r.delta_link,
    isReconciling: r.is_reconciling,
  };
}

/** Graph says the user has no mailbox reachable through REST (MailboxNotEnabledForRESTAPI and the like). */
export async function markMailboxUnavailable(db: DbOrTrx, mailboxId: string): Promise<void> {
  await db
    .updateTable("mailboxes")
    .set({ has_mailbox: false, updated_at: sql<Date>`now()` })
    .where("id", "=", mailboxId)
    .execute();
}
