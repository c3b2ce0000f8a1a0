import type { AuditLogRow, JsonObject } from "../schema";
import type { DbOrTrx } from "../transaction";

export type TAuditEntry = {
  actorUpn: string;
  actorEntraId?: string | null;
  /** Dotted verb, e.g. `mailbox.export`, `retention.update`, `legal_hold.place`. */
  action: string;
  mailboxId?: string | null;
  target?: string | null;
  detail?: JsonObject;
  ip?: string | null;
  userAgent?: string | null;
};

export type TAuditFilter = {
  mailboxId?: string;
  actorUpn?: string;
  /** Exact action, or a prefix ending in `.` (`"mailbox."`). */
  action?: string;
  from?: Date;
  to?: Date;
  /** Keyset paging: pass the `id` of the last row of the previous page. */
  beforeId?: number;
  limit?: number;
};

/** Appends one entry. Pass the transaction of the change it records, so both commit or neither does. */
export async function appendAudit(db: DbOrTrx, entry: TAuditEntry): Promise<AuditLogRow> {
  return db
    .insertInto("audit_log")
    .values({
      actor_upn: entry.actorUpn,
      actor_entra_id: entry.actorEntraId ?? null,
      action: entry.action,
      mailbox_id: entry.mailboxId ?? null,
      target: entry.target ?? null,
      detail: entry.detail ?? {},
      ip: entry.ip ?? null,
      user_agent: entry.userAgent ?? null,
    })
    .returningAll()
    .executeTakeFirstOrThrow();
}

/** Entries newest first, one page (default 50, at most 500). The next page: `beforeId` = last row's id. */
export async function listAudit(db: DbOrTrx, filter: TAuditFilter = {}): Promise<AuditLogRow[]> {
  const limit = Math.min(Math.max(filter.limit ?? 50, 1), 500);
  let q = db.selectFrom("audit_log").selectAll();
  if (filter.mailboxId) q = q.where("mailbox_id", "=", filter.mailboxId);
  if (filter.actorUpn)
    q = q.where((eb) => eb(eb.fn("lower", ["actor_upn"]), "=", filter.actorUpn!.toLowerCase()));
  if (filter.action) {
    q = filter.action.endsWith(".")
      ? q.where("action", "like", `${filter.action.replace(/[\\%_]/g, (c) => `\\${c}`)}%`)
      : q.where("action", "=", filter.action);
  }
  if (filter.from) q = q.where("at", ">=", filter.from);
  if (filter.to) q = q.where("at", "<", filter.to);
  if (filter.beforeId !== undefined) q = q.where("id", "<", filter.beforeId);
  // id order equals insertion order; `at` can tie or (clock steps) go backwards, so page by id.
  return q.orderBy("id", "desc").limit(limit).execute();
}
