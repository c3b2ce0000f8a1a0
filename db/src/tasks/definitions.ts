import { sql } from "kysely";
import type { DefinitionRow, DefinitionVersionRow, JsonObject, TaskType } from "../schema";
import { type DbOrTrx, inTransaction } from "../transaction";

/**
 * A definition holds a task type's settings. Every change bumps `version` and keeps the settings of that
 * version in `definition_versions`, so a run can record (and a log can show) which settings it used.
 */
export async function createDefinition(
  db: DbOrTrx,
  def: { type: TaskType; name: string; settings: JsonObject },
  by: string,
): Promise<DefinitionRow> {
  return inTransaction(db, async (trx) => {
    const row = await trx
      .insertInto("definitions")
      .values({ type: def.type, name: def.name, settings: def.settings, version: 1, updated_by: by })
      .returningAll()
      .executeTakeFirstOrThrow();
    await trx
      .insertInto("definition_versions")
      .values({ definition_id: row.id, version: 1, settings: def.settings, created_by: by })
      .execute();
    return row;
  });
}

/** New settings (and optionally a new name) as the next version; undefined if the definition is gone. */
export async function updateDefinition(
  db: DbOrTrx,
  id: string,
  change: { settings: JsonObject; name?: string },
  by: string,
): Promise<DefinitionRow | undefined> {
  return inTransaction(db, async (trx) => {
    // The UPDATE takes the row lock, so two concurrent edits get consecutive versions.
    const row = await trx
      .updateTable("definitions")
      .set((eb) => ({
        settings: change.settings,
        ...(change.name !== undefined ? { name: change.name } : {}),
        version: eb("version", "+", 1),
        updated_at: sql<Date>`now()`,
        updated_by: by,
      }))
      .where("id", "=", id)
      .returningAll()
      .executeTakeFirst();
    if (!row) return undefined;
    await trx
      .insertInto("definition_versions")
      .values({ definition_id: row.id, version: row.version, settings: change.settings, created_by: by })
      .execute();
    return row;
  });
}

export async function findDefinitionById(db: DbOrTrx, id: string): Promise<DefinitionRow | undefined> {
  return db.selectFrom("definitions").selectAll().where("id", "=", id).executeTakeFirst();
}

export async function listDefinitions(db: DbOrTrx, type?: TaskType): Promise<DefinitionRow[]> {
  let q = db.selectFrom("definitions").selectAll();
  if (type) q = q.where("type", "=", type);
  return q.orderBy("type").orderBy("name").execute();
}

/** All versions of a definition, newest first. */
export async function listDefinitionVersions(
  db: DbOrTrx,
  definitionId: string,
): Promise<DefinitionVersionRow[]> {
  return db
    .selectFrom("definition_versions")
    .selectAll()
    .where("definition_id", "=", definitionId)
    .orderBy("version", "desc")
    .execute();
}

/** Deletes an unused definition (with its versions); throws (foreign key) while a task still uses it. */
export async function deleteDefinition(db: DbOrTrx, id: string): Promise<boolean> {
  const r = await db.deleteFrom("definitions").where("id", "=", id).executeTakeFirst();
  return r.numDeletedRows > 0n;
}
