import { type ExpressionBuilder, sql } from "kysely";
import type { DB, MailboxKind, MailboxRow } from "../schema";
import { type DbOrTrx, inTransaction } from "../transaction";

/** One account as the directory (Entra / Graph) describes it now. */
export type TDirectoryMailbox = {
  entraId: string;
  upn: string;
  displayName: string;
  mail: string | null;
  kind: MailboxKind;
  accountEnabled: boolean;
  licensed: boolean;
  hasMailbox: boolean;
};

export type TListMailboxesFilter = {
  /** Case-insensitive substring of UPN, display name or mail address. */
  search?: string;
  /** Also list disabled, unlicensed, mailbox-less and deprovisioned accounts (the seeds' checkbox). */
  includeDeactivated?: boolean;
  kinds?: MailboxKind[];
  limit?: number;
  offset?: number;
};

const UPSERT_CHUNK = 1000;
/** `deprovisioned_by` of a mailbox the directory sync deprovisioned (see upsertMailboxes). */
export const DIRECTORY_DEPROVISIONED = "directory: UPN now held by another account";

/**
 * Inserts or updates mailboxes from directory data, keyed by Entra id, in one transaction.
 *
 * UPNs are unique among live mailboxes only (migration 0101), and the directory is the truth for who holds
 * a UPN now, so two situations are resolved here rather than failing the whole directory sync:
 * - UPN swaps or renames inside the batch: the renamed rows first get a placeholder UPN, then the real one;
 * - a live mailbox not in the batch still holds a UPN the batch gives to another account: Entra only reuses
 *   the UPN of a deleted account, so that mailbox is deprovisioned by the directory (its archive stays,
 *   under its old UPN). Should it reappear later (it was renamed, and the caller passed a partial list),
 *   the upsert makes it live again. A mailbox an admin deprovisioned stays deprovisioned.
 */
export async function upsertMailboxes(
  db: DbOrTrx,
  entries: readonly TDirectoryMailbox[],
  seenAt: Date = new Date(),
): Promise<MailboxRow[]> {
  const byEntraId = new Map(entries.map((e) => [e.entraId, e]));
  const batch = [...byEntraId.values()];
  if (batch.length === 0) return [];
  const upns = new Set<string>();
  for (const e of batch) {
    const key = e.upn.toLowerCase();
    if (upns.has(key)) throw new Error(`two accounts in one directory batch have the UPN ${e.upn}`);
    upns.add(key);
  }

  return inTransaction(db, async (trx) => {
    const ids = batch.map((e) => e.entraId);
    const lowerUpns = batch.map((e) => e.upn.toLowerCase());
    await sql`
      UPDATE mailboxes m
      SET deprovisioned_at = ${seenAt}, deprovisioned_by = ${DIRECTORY_DEPROVISIONED}, updated_at = now()
      WHERE m.deprovisioned_at IS NULL AND lower(m.upn) = ANY(${lowerUpns}::text[])
        AND m.entra_id <> ALL(${ids}::text[])`.execute(trx);
    await sql`
      UPDATE mailboxes m SET upn = '~renaming~' || m.id::text
      FROM unnest(${ids}::text[], ${lowerUpns}::text[]) AS b(entra_id, upn)
      WHERE m.entra_id = b.entra_id AND lower(m.upn) <> b.upn AND m.deprovisioned_at IS NULL`.execute(trx);

    const out: MailboxRow[] = [];
    for (let i = 0; i < batch.length; i += UPSERT_CHUNK) {
      const rows = await trx
        .insertInto("mailboxes")
        .values(
          batch.slice(i, i + UPSERT_CHUNK).map((e) => ({
            entra_id: e.entraId,
            upn: e.upn,
            display_name: e.displayName,
            mail: e.mail,
            kind: e.kind,
            account_enabled: e.accountEnabled,
            licensed: e.licensed,
            has_mailbox: e.hasMailbox,
            first_seen_at: seenAt,
            last_seen_at: seenAt,
          })),
        )
        .onConflict((oc) =>
          oc.column("entra_id").doUpdateSet((eb) => ({
            upn: eb.ref("excluded.upn"),
            display_name: eb.ref("excluded.display_name"),
            mail: eb.ref("excluded.mail"),
            kind: eb.ref("excluded.kind"),
            account_enabled: eb.ref("excluded.account_enabled"),
            licensed: eb.ref("excluded.licensed"),
            has_mailbox: eb.ref("excluded.has_mailbox"),
            last_seen_at: eb.ref("excluded.last_seen_at"),
            updated_at: sql<Date>`now()`,
            deprovisioned_at: sql<Date | null>`CASE WHEN mailboxes.deprovisioned_by = ${DIRECTORY_DEPROVISIONED}
              THEN NULL ELSE mailboxes.deprovisioned_at END`,
            deprovisioned_by: sql<
              string | null
            >`CASE WHEN mailboxes.deprovisioned_by = ${DIRECTORY_DEPROVISIONED}
              THEN NULL ELSE mailboxes.deprovisioned_by END`,
          })),
        )
        .returningAll()
        .execute();
      out.push(...rows);
    }
    return out;
  });
}

export async function upsertMailbox(
  db: DbOrTrx,
  entry: TDirectoryMailbox,
  seenAt?: Date,
): Promise<MailboxRow> {
  const [row] = await upsertMailboxes(db, [entry], seenAt);
  return row!;
}

export async function findMailboxById(db: DbOrTrx, id: string): Promise<MailboxRow | undefined> {
  return db.selectFrom("mailboxes").selectAll().where("id", "=", id).executeTakeFirst();
}

export async function findMailboxByEntraId(db: DbOrTrx, entraId: string): Promise<MailboxRow | undefined> {
  return db.selectFrom("mailboxes").selectAll().where("entra_id", "=", entraId).executeTakeFirst();
}

/**
 * The mailbox with this UPN, ignoring case: the live one, or else the most recently deprovisioned one
 * (a UPN can have been held by several accounts over time).
 */
export async function findMailboxByUpn(db: DbOrTrx, upn: string): Promise<MailboxRow | undefined> {
  return db
    .selectFrom("mailboxes")
    .selectAll()
    .where(sql<string>`lower(upn)`, "=", upn.toLowerCase())
    .orderBy(sql`deprovisioned_at IS NULL`, "desc")
    .orderBy("deprovisioned_at", "desc")
    .limit(1)
    .executeTakeFirst();
}

/** Mailboxes ordered by UPN; by default only active ones (enabled, licensed, with a mailbox, not deprovisioned). */
export async function listMailboxes(db: DbOrTrx, filter: TListMailboxesFilter = {}): Promise<MailboxRow[]> {
  const limit = Math.min(Math.max(filter.limit ?? 100, 1), 1000);
  return db
    .selectFrom("mailboxes")
    .selectAll()
    .where((eb) => mailboxFilter(eb, filter))
    .orderBy(sql`lower(upn)`)
    .orderBy("id")
    .limit(limit)
    .offset(Math.max(filter.offset ?? 0, 0))
    .execute();
}

export async function countMailboxes(
  db: DbOrTrx,
  filter: Omit<TListMailboxesFilter, "limit" | "offset"> = {},
): Promise<number> {
  const row = await db
    .selectFrom("mailboxes")
    .select((eb) => eb.fn.countAll<string>().as("n"))
    .where((eb) => mailboxFilter(eb, filter))
    .executeTakeFirstOrThrow();
  return Number(row.n);
}

/** Marks a mailbox deprovisioned (kept in the archive, no longer synced). Idempotent: the first time wins. */
export async function deprovisionMailbox(
  db: DbOrTrx,
  id: string,
  by: string,
): Promise<MailboxRow | undefined> {
  const updated = await db
    .updateTable("mailboxes")
    .set({ deprovisioned_at: sql<Date>`now()`, deprovisioned_by: by, updated_at: sql<Date>`now()` })
    .where("id", "=", id)
    .where("deprovisioned_at", "is", null)
    .returningAll()
    .executeTakeFirst();
  return updated ?? findMailboxById(db, id);
}

/** True when the account is one Coffer syncs: the seeds' "active account with an active mailbox license". */
export function isMailboxActive(
  row: Pick<MailboxRow, "account_enabled" | "licensed" | "has_mailbox" | "deprovisioned_at">,
): boolean {
  return row.account_enabled && row.licensed && row.has_mailbox && row.deprovisioned_at === null;
}

function mailboxFilter(eb: ExpressionBuilder<DB, "mailboxes">, filter: TListMailboxesFilter) {
  const conditions = [];
  if (!filter.includeDeactivated) {
    conditions.push(
      eb.and([
        eb("account_enabled", "=", true),
        eb("licensed", "=", true),
        eb("has_mailbox", "=", true),
        eb("deprovisioned_at", "is", null),
      ]),
    );
  }
  if (filter.kinds?.length) conditions.push(eb("kind", "in", filter.kinds));
  const search = filter.search?.trim();
  if (search) {
    const pattern = `%${escapeLike(search)}%`;
    conditions.push(
      eb.or([
        eb("upn", "ilike", pattern),
        eb("display_name", "ilike", pattern),
        eb("mail", "ilike", pattern),
      ]),
    );
  }
  return eb.and(conditions);
}

/** Escapes LIKE wildcards so a search for `a_b%` matches those characters literally. */
export function escapeLike(value: string): string {
  return value.replace(/[\\%_]/g, (c) => `\\${c}`);
}
