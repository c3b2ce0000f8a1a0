import { sql } from "kysely";
import type { SiteRow } from "../schema";
import type { DbOrTrx } from "../transaction";

/** The seeds' "Synchronization Engine Site": a named group of workers that consume the site's queues. */
export async function createSite(
  db: DbOrTrx,
  site: { name: string; description?: string },
): Promise<SiteRow> {
  return db
    .insertInto("sites")
    .values({ name: site.name, description: site.description ?? "" })
    .returningAll()
    .executeTakeFirstOrThrow();
}

/** Returns the site with this name, creating it when missing (a worker started for a new site name). */
export async function ensureSite(db: DbOrTrx, name: string): Promise<SiteRow> {
  await db
    .insertInto("sites")
    .values({ name })
    .onConflict((oc) => oc.column("name").doNothing())
    .execute();
  return db.selectFrom("sites").selectAll().where("name", "=", name).executeTakeFirstOrThrow();
}

export async function findSiteById(db: DbOrTrx, id: string): Promise<SiteRow | undefined> {
  return db.selectFrom("sites").selectAll().where("id", "=", id).executeTakeFirst();
}

export async function listSites(db: DbOrTrx): Promise<SiteRow[]> {
  return db.selectFrom("sites").selectAll().orderBy("name").execute();
}

/** A worker of the site says it is alive, with its version and host. */
export async function heartbeatSite(
  db: DbOrTrx,
  id: string,
  worker: { version: string; hostname: string },
): Promise<SiteRow | undefined> {
  return db
    .updateTable("sites")
    .set({ last_heartbeat_at: sql<Date>`now()`, version: worker.version, hostname: worker.hostname })
    .where("id", "=", id)
    .returningAll()
    .executeTakeFirst();
}
