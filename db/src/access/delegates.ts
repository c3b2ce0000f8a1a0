import { sql } from "kysely";
import type { DelegateRow, DelegateSource, MailboxRow } from "../schema";
import { type DbOrTrx, inTransaction } from "../transaction";

export type TDelegate = { entraId: string; upn: string; rights?: string };

/** A mailbox a principal may open, and why: its own, and/or through these delegate sources. */
export type AccessibleMailbox = MailboxRow & { is_owner: boolean; sources: DelegateSource[] };

/** Delegate sources that let a principal read another mailbox's archive. Send-as alone does not. */
export const READ_ACCESS_SOURCES: readonly DelegateSource[] = ["manual", "full_access", "calendar"];

/**
 * Makes the delegates of one mailbox from one source exactly `delegates`, atomically: the permissions sync
 * replaces what it read from Exchange, an admin edits the manual list. Other sources are not touched.
 * Concurrent replacements of the same mailbox are serialised by a lock on its row.
 */
export async function replaceDelegates(
  db: DbOrTrx,
  mailboxId: string,
  source: DelegateSource,
  delegates: readonly TDelegate[],
): Promise<DelegateRow[]> {
  const unique = [...new Map(delegates.map((d) => [d.entraId, d])).values()];
  return inTransaction(db, async (trx) => {
    await trx
      .selectFrom("mailboxes")
      .select("id")
      .where("id", "=", mailboxId)
      .forUpdate()
      .executeTakeFirstOrThrow(() => new Error(`mailbox ${mailboxId} does not exist`));

    let remove = trx.deleteFrom("delegates").where("mailbox_id", "=", mailboxId).where("source", "=", source);
    if (unique.length > 0) {
      remove = remove.where(
        "delegate_entra_id",
        "not in",
        unique.map((d) => d.entraId),
      );
    }
    await remove.execute();
    if (unique.length === 0) return [];

    return trx
      .insertInto("delegates")
      .values(
        unique.map((d) => ({
          mailbox_id: mailboxId,
          delegate_entra_id: d.entraId,
          delegate_upn: d.upn,
          source,
          rights: d.rights ?? "",
        })),
      )
      .onConflict((oc) =>
        oc.columns(["mailbox_id", "delegate_entra_id", "source"]).doUpdateSet((eb) => ({
          delegate_upn: eb.ref("excluded.delegate_upn"),
          rights: eb.ref("excluded.rights"),
          synced_at: sql<Date>`now()`,
        })),
      )
      .returningAll()
      .execute();
  });
}

export async function listDelegates(db: DbOrTrx, mailboxId: string): Promise<DelegateRow[]> {
  return db
    .selectFrom("delegates")
    .selectAll()
    .where("mailbox_id", "=", mailboxId)
    .orderBy("delegate_upn")
    .orderBy("source")
    .execute();
}

/**
 * The mailboxes a principal (Entra object id) may open in the portal: its own and those it is a delegate
 * of through `sources`. Deactivated and deprovisioned mailboxes are included: their archive stays
 * accessible to the user and delegates (seed 004).
 */
export async function listAccessibleMailboxes(
  db: DbOrTrx,
  principalEntraId: string,
  sources: readonly DelegateSource[] = READ_ACCESS_SOURCES,
): Promise<AccessibleMailbox[]> {
  const rows = await db
    .selectFrom("mailboxes as m")
    .leftJoin("delegates as d", (join) =>
      join
        .onRef("d.mailbox_id", "=", "m.id")
        .on("d.delegate_entra_id", "=", principalEntraId)
        .on("d.source", "in", sources.length > 0 ? [...sources] : ["__none__" as DelegateSource]),
    )
    .selectAll("m")
    .select([
      sql<boolean>`m.entra_id = ${principalEntraId}`.as("is_owner"),
      sql<
        DelegateSource[]
      >`coalesce(array_agg(DISTINCT d.source) FILTER (WHERE d.source IS NOT NULL), '{}')`.as("sources"),
    ])
    .where((eb) => eb.or([eb("m.entra_id", "=", principalEntraId), eb("d.id", "is not", null)]))
    .groupBy("m.id")
    .orderBy(sql`m.entra_id = ${principalEntraId}`, "desc")
    .orderBy(sql`lower(m.upn)`)
    .execute();
  return rows;
}
