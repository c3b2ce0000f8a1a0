import type { Transaction } from "kysely";
import { sql } from "kysely";
import type { DB, SiteRow } from "../schema";
import { type DbOrTrx, inTransaction } from "../transaction";

/**
 * A worker registering its site at start. When this is the first site the database has ever had, the
 * install is new: `onFirstSite` runs in the same transaction (the worker creates the default schedule,
 * definition and task there), so a new install protects mail without configuration, exactly once.
 * Two workers starting together are serialised by a transaction-scoped advisory lock.
 */
export async function registerSite(
  db: DbOrTrx,
  name: string,
  onFirstSite: (trx: Transaction<DB>, site: SiteRow) => Promise<void>,
): Promise<{ site: SiteRow; isFirstStart: boolean }> {
  return inTransaction(db, async (trx) => {
    await sql`SELECT pg_advisory_xact_lock(hashtext('coffer.sites.register'))`.execute(trx);
    const existing = await trx.selectFrom("sites").selectAll().where("name", "=", name).executeTakeFirst();
    if (existing) return { site: existing, isFirstStart: false };
    const { n } = await trx
      .selectFrom("sites")
      .select((eb) => eb.fn.countAll<string>().as("n"))
      .executeTakeFirstOrThrow();
    const site = await trx.insertInto("sites").values({ name }).returningAll().executeTakeFirstOrThrow();
    const isFirstStart = Number(n) === 0;
    if (isFirstStart) await onFirstSite(trx, site);
    return { site, isFirstStart };
  });
}
