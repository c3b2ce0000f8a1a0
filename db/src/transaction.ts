import type { Kysely, Transaction } from "kysely";
import type { DB } from "./schema";

/** What every query module takes first: the database, or a transaction the caller already opened. */
export type DbOrTrx = Kysely<DB> | Transaction<DB>;

/**
 * Runs `fn` in a transaction: the caller's when `db` already is one (so a query module can be part of a
 * larger unit, e.g. the sync engine's page transaction), otherwise a new one.
 */
export async function inTransaction<T>(db: DbOrTrx, fn: (trx: Transaction<DB>) => Promise<T>): Promise<T> {
  if (db.isTransaction) return fn(db as Transaction<DB>);
  return db.transaction().execute(fn);
}
