import { sql } from "kysely";
import type { LegalHoldRow } from "../schema";
import type { DbOrTrx } from "../transaction";

export type ActiveLegalHold = LegalHoldRow & { upn: string; display_name: string };

/**
 * Places a hold on a mailbox: while it is active, nothing of the mailbox is purged. At most one active hold
 * per mailbox (a partial unique index); returns undefined when the mailbox is already on hold, keeping the
 * existing hold and its reason.
 */
export async function placeLegalHold(
  db: DbOrTrx,
  hold: { mailboxId: string; reason: string; createdBy: string },
): Promise<LegalHoldRow | undefined> {
  return db
    .insertInto("legal_holds")
    .values({ mailbox_id: hold.mailboxId, reason: hold.reason, created_by: hold.createdBy })
    .onConflict((oc) => oc.column("mailbox_id").where("released_at", "is", null).doNothing())
    .returningAll()
    .executeTakeFirst();
}

/** Releases the mailbox's active hold; undefined when there was none. Released holds stay as history. */
export async function releaseLegalHold(
  db: DbOrTrx,
  mailboxId: string,
  releasedBy: string,
): Promise<LegalHoldRow | undefined> {
  return db
    .updateTable("legal_holds")
    .set({ released_at: sql<Date>`now()`, released_by: releasedBy })
    .where("mailbox_id", "=", mailboxId)
    .where("released_at", "is", null)
    .returningAll()
    .executeTakeFirst();
}

export async function listActiveLegalHolds(db: DbOrTrx): Promise<ActiveLegalHold[]> {
  return db
    .selectFrom("legal_holds as h")
    .innerJoin("mailboxes as m", "m.id", "h.mailbox_id")
    .selectAll("h")
    .select(["m.upn", "m.display_name"])
    .where("h.released_at", "is", null)
    .orderBy("h.created_at", "desc")
    .execute();
}

/** Every hold of a mailbox, newest first, released ones included. */
export async function listLegalHolds(db: DbOrTrx, mailboxId: string): Promise<LegalHoldRow[]> {
  return db
    .selectFrom("legal_holds")
    .selectAll()
    .where("mailbox_id", "=", mailboxId)
    .orderBy("created_at", "desc")
    .execute();
}

export async function isOnHold(db: DbOrTrx, mailboxId: string): Promise<boolean> {
  const row = await db
    .selectFrom("legal_holds")
    .select("id")
    .where("mailbox_id", "=", mailboxId)
    .where("released_at", "is", null)
    .executeTakeFirst();
  return row !== undefined;
}
