import { sql } from "kysely";
import type { DelegateSource, MailboxRow } from "../schema";
import type { DbOrTrx } from "../transaction";
import { READ_ACCESS_SOURCES } from "./delegates";

/** How a principal relates to one mailbox: owner, delegate (through which sources), or neither. */
export type TMailboxRelation = {
  mailbox: MailboxRow;
  isOwner: boolean;
  /** Delegate sources that grant the principal read access (empty when not a delegate). */
  delegateSources: DelegateSource[];
};

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/**
 * One mailbox and the principal's relation to it, in one query: the portal's authorization check for every
 * request that names a mailbox. Undefined when no mailbox has that id (an id that is not a UUID is treated
 * as unknown rather than an error, so a mangled URL answers 404, not 500).
 */
export async function getMailboxRelation(
  db: DbOrTrx,
  principalEntraId: string,
  mailboxId: string,
  sources: readonly DelegateSource[] = READ_ACCESS_SOURCES,
): Promise<TMailboxRelation | undefined> {
  if (!UUID.test(mailboxId)) return undefined;
  const row = await db
    .selectFrom("mailboxes as m")
    .selectAll("m")
    .select([
      sql<boolean>`m.entra_id = ${principalEntraId}`.as("is_owner"),
      sql<DelegateSource[]>`coalesce((
        SELECT array_agg(DISTINCT d.source) FROM delegates d
        WHERE d.mailbox_id = m.id AND d.delegate_entra_id = ${principalEntraId}
          AND d.source = ANY(${sources.length > 0 ? [...sources] : ["__none__"]}::text[])
      ), '{}')`.as("delegate_sources"),
    ])
    .where("m.id", "=", mailboxId)
    .executeTakeFirst();
  if (!row) return undefined;
  const { is_owner, delegate_sources, ...mailbox } = row;
  return { mailbox, isOwner: is_owner, delegateSources: delegate_sources };
}
